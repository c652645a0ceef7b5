from sqlalchemy import text

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.journal import services
from rgpd_app.journal.models import JournalSeal
from tests.journal_support import sealed_then_purged, write


def test_sealed_chain_verifies(app, clock):
    write(5, clock)
    services.seal(now=clock())
    write(3, clock)
    services.seal(now=clock())
    result = services.verify()
    assert result.ok and result.seals == 2 and result.entries == 8


def test_sealing_twice_at_the_same_time_adds_nothing(app, clock):
    write(2, clock)
    services.seal(now=clock())
    assert services.seal(now=clock()) is None
    assert db.session.scalar(db.select(db.func.count(JournalSeal.id))) == 1


def test_a_modified_row_is_named(app, clock):
    write(5, clock)
    services.seal(now=clock())
    db.session.execute(text("UPDATE journal_entry SET action = 'forged' WHERE id = 3"))
    db.session.commit()
    result = services.verify()
    assert not result.ok and "row 3 was modified" in result.problem


def test_a_deleted_row_is_named(app, clock):
    write(5, clock)
    services.seal(now=clock())
    db.session.execute(text("DELETE FROM journal_entry WHERE id = 4"))
    db.session.commit()
    result = services.verify()
    assert not result.ok and "row 4 was deleted" in result.problem


def test_rewritten_row_hash_is_still_detected(app, clock):
    write(3, clock)
    services.seal(now=clock())
    entry = db.session.get(JournalEntry, 2)
    entry.action = "forged"
    from rgpd_app.journal import rules

    entry.row_hash = rules.row_hash(services.as_row(entry))
    db.session.commit()
    assert "rewritten" in services.verify().problem


def test_a_changed_seal_breaks_the_chain(app, clock):
    write(2, clock)
    services.seal(now=clock())
    write(2, clock)
    services.seal(now=clock())
    db.session.execute(
        text("UPDATE journal_seal SET rows_digest = :d WHERE id = 1"), {"d": "0" * 64}
    )
    db.session.commit()
    assert not services.verify().ok


def test_purge_removes_old_sealed_rows_keeps_the_chain_and_is_journaled(app, clock):
    assert sealed_then_purged(clock) == 4
    remaining = db.session.scalars(db.select(JournalEntry.action)).all()
    assert remaining.count("test.event") == 2 and "journal.purge" in remaining
    services.seal(now=clock())
    assert services.verify().ok
    assert services.purge(now=clock(), retention_days=365) == 0


def test_unsealed_rows_are_never_purged(app, clock):
    write(3, clock)
    clock.advance(days=400)
    assert services.purge(now=clock(), retention_days=365) == 0


def test_cli_verify_exits_non_zero_naming_the_row(app, runner, clock):
    write(3, clock)
    assert runner.invoke(args=["rgpd", "journal", "seal"]).exit_code == 0
    ok = runner.invoke(args=["rgpd", "journal", "verify"])
    assert ok.exit_code == 0 and "intègre" in ok.output
    db.session.execute(text("UPDATE journal_entry SET ip = '10.0.0.1' WHERE id = 2"))
    db.session.commit()
    broken = runner.invoke(args=["rgpd", "journal", "verify"])
    assert broken.exit_code == 1 and "row 2 was modified" in broken.output


def test_worker_tick_seals_and_is_idempotent(app, clock):
    from rgpd_app.scheduler import tick

    write(3, clock)
    tick(clock())
    first = db.session.scalar(db.select(db.func.count(JournalSeal.id)))
    tick(clock())
    assert db.session.scalar(db.select(db.func.count(JournalSeal.id))) == first
    assert first == 1 and services.verify().ok
