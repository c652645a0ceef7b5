"""ASVS V16.4.2 (logs protected from modification): twenty ways of rewriting the sealed journal,
each done for real in the database (or the instance folder), each detected by `verify`, which
names the first bad seal or row.

The chain: seal 1 covers rows 1–4, seal 2 rows 5–7, seal 3 rows 8–10, each signed with the
instance key; the instance folder holds the anchor of seal 3."""

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.journal import integrity, rules, services
from rgpd_app.journal.models import JournalSeal
from tests.journal_support import sealed_then_purged, write


@pytest.fixture
def chain(app, clock):
    for rows in (4, 3, 3):
        write(rows, clock)
        services.seal(now=clock())
        clock.advance(minutes=1)
    assert services.verify().ok
    return app


def sql(statement, **params):
    db.session.execute(text(statement), params)
    db.session.commit()


def rehash_row(row_id):
    entry = db.session.get(JournalEntry, row_id)
    entry.row_hash = rules.row_hash(services.as_row(entry))
    db.session.commit()


def recompute_from(seal_id):
    """What an attacker with the database (not the key) can do: every digest and hash again."""
    previous = db.session.get(JournalSeal, seal_id - 1)
    previous_hash = previous.hash if previous else rules.GENESIS
    for link in db.session.scalars(
        db.select(JournalSeal).where(JournalSeal.id >= seal_id).order_by(JournalSeal.id)
    ):
        rows = db.session.scalars(
            db.select(JournalEntry).where(JournalEntry.seal_id == link.id).order_by(JournalEntry.id)
        ).all()
        for row in rows:
            row.row_hash = rules.row_hash(services.as_row(row))
        link.rows_digest, link.entry_count = rules.rows_digest(r.row_hash for r in rows)
        link.first_entry_id, link.last_entry_id = rows[0].id, rows[-1].id
        link.previous_hash = previous_hash
        link.hash = rules.seal_hash(previous_hash, link.rows_digest, link.first_entry_id,
                                    link.last_entry_id, link.entry_count)  # fmt: skip
        previous_hash = link.hash
    db.session.commit()


def edit_a_row(clock):
    sql("UPDATE journal_entry SET action = 'forged' WHERE id = 6")


def edit_a_row_and_its_hash(clock):
    sql("UPDATE journal_entry SET user_email = 'autre@example.org' WHERE id = 6")
    rehash_row(6)


def delete_a_row(clock):
    sql("DELETE FROM journal_entry WHERE id = 6")


def insert_a_row_into_a_seal(clock):
    sql("INSERT INTO journal_entry (id, at, user_email, action, object_type, object_id, ip, "
        "user_agent, details, seal_id) VALUES (100, :at, '', 'forged', '', '', '', '', '{}', 2)",
        at=clock().isoformat())  # fmt: skip


def insert_an_unsealed_row_inside_the_sealed_range(clock):
    sql("INSERT INTO journal_entry (id, at, user_email, action, object_type, object_id, ip, "
        "user_agent, details) VALUES (0, :at, '', 'forged', '', '', '', '', '{}')",
        at=clock().isoformat())  # fmt: skip


def swap_two_rows_contents(clock):
    a, b = db.session.get(JournalEntry, 5), db.session.get(JournalEntry, 6)
    a.details, b.details = b.details, a.details
    db.session.commit()


def reorder_two_rows(clock):
    sql("UPDATE journal_entry SET id = 1000 WHERE id = 5")
    sql("UPDATE journal_entry SET id = 5 WHERE id = 6")
    sql("UPDATE journal_entry SET id = 6 WHERE id = 1000")


def edit_a_seal_digest(clock):
    sql("UPDATE journal_seal SET rows_digest = :d WHERE id = 2", d="0" * 64)


def edit_a_seal_range(clock):
    sql("UPDATE journal_seal SET entry_count = 2, last_entry_id = 6 WHERE id = 2")


def edit_the_last_seal_hash(clock):
    sql("UPDATE journal_seal SET hash = :h WHERE id = 3", h="f" * 64)


def recompute_the_chain_after_an_edit(clock):
    sql("UPDATE journal_entry SET action = 'forged' WHERE id = 6")
    recompute_from(2)


def resign_with_another_key(clock):
    recompute_the_chain_after_an_edit(clock)
    other = Ed25519PrivateKey.generate()
    for link in db.session.scalars(db.select(JournalSeal)):
        link.signature = base64.b64encode(
            other.sign(integrity.signed_bytes(link.id, link.hash))
        ).decode()
        link.key_id = "attacker-key"
    db.session.commit()


def move_a_signature_to_another_seal(clock):
    two = db.session.get(JournalSeal, 2)
    sql("UPDATE journal_seal SET signature = :s WHERE id = 3", s=two.signature)


def remove_a_signature(clock):
    sql("UPDATE journal_seal SET signature = NULL WHERE id = 2")


def reseal_with_the_application(clock):
    """Unseal everything, edit, and ask the application to seal (and sign) it again: it
    refuses to extend a chain that no longer holds its anchor."""
    sql("UPDATE journal_entry SET seal_id = NULL, row_hash = NULL")
    sql("DELETE FROM journal_seal")
    sql("UPDATE journal_entry SET action = 'forged' WHERE id = 6")
    with pytest.raises(integrity.ChainRefused, match="seal 3: missing"):
        services.seal(now=clock())
    db.session.rollback()


def truncate_the_tail(clock):
    sql("DELETE FROM journal_entry WHERE seal_id = 3")
    sql("DELETE FROM journal_seal WHERE id = 3")


def truncate_the_tail_and_the_local_anchor(clock):
    truncate_the_tail(clock)
    integrity.anchor_path().unlink()


def mark_a_middle_seal_purged(clock):
    sql("DELETE FROM journal_entry WHERE seal_id = 2")
    sql("UPDATE journal_seal SET purged_at = :at WHERE id = 2", at=clock().isoformat())


def mark_the_oldest_seal_purged_without_a_purge(clock):
    sql("DELETE FROM journal_entry WHERE seal_id = 1")
    sql("UPDATE journal_seal SET purged_at = :at WHERE id = 1", at=clock().isoformat())


def leave_a_row_unsealed(clock):
    write(1, clock)  # the worker stopped (or the row was slipped in): nobody seals it
    clock.advance(minutes=20)


TAMPERINGS = [
    (edit_a_row, "row 6 was modified"),
    (edit_a_row_and_its_hash, "seal 2: row hashes were rewritten"),
    (delete_a_row, "row 6 was deleted"),
    (insert_a_row_into_a_seal, "seal 2: row 100"),
    (insert_an_unsealed_row_inside_the_sealed_range, "row 0: not sealed, inside the sealed"),
    (swap_two_rows_contents, "row 5 was modified"),
    (reorder_two_rows, "row 5 was modified"),
    (edit_a_seal_digest, "seal 2"),
    (edit_a_seal_range, "seal 2"),
    (edit_the_last_seal_hash, "seal 3"),
    (recompute_the_chain_after_an_edit, "seal 2: signature does not verify"),
    (resign_with_another_key, "seal 1: signature does not verify"),
    (move_a_signature_to_another_seal, "seal 3: signature does not verify"),
    (remove_a_signature, "seal 2: not signed"),
    (reseal_with_the_application, "seal 3"),
    (truncate_the_tail, "seal 3: missing"),
    (mark_a_middle_seal_purged, "seal 2: marked purged after seal 1"),
    (mark_the_oldest_seal_purged_without_a_purge, "seal 1: marked purged without"),
    (leave_a_row_unsealed, "row 11: not sealed for more than 15 minutes"),
]


@pytest.mark.parametrize(("tamper", "named"), TAMPERINGS, ids=[t.__name__ for t, _ in TAMPERINGS])
def test_v16_4_2_each_tampering_is_detected_and_named(chain, clock, tamper, named):
    tamper(clock)
    db.session.expire_all()
    result = services.verify()
    assert not result.ok
    assert named in result.problem


def test_v16_4_3_a_truncated_tail_without_the_local_anchor_is_caught_by_the_dpo_s_anchor(
    chain, clock
):
    anchor = integrity.read_anchor()  # what the weekly e-mail gave each DPO
    truncate_the_tail_and_the_local_anchor(clock)
    db.session.expire_all()
    assert services.verify().ok  # the database and the instance folder alone: not enough
    given = {"seal_id": anchor["seal_id"], "hash": anchor["hash"]}
    result = services.verify(anchors=(given,))
    assert not result.ok and "seal 3: missing, though an anchor given to check" in result.problem


def test_a_purge_marked_on_more_seals_than_the_purge_deleted_is_caught(app, clock):
    assert sealed_then_purged(clock) == 4
    services.seal(now=clock())
    assert services.verify().ok
    purge_at = db.session.get(JournalSeal, 1).purged_at
    sql("DELETE FROM journal_entry WHERE seal_id = 2")
    sql("UPDATE journal_seal SET purged_at = :at WHERE id = 2", at=purge_at.isoformat())
    db.session.expire_all()
    result = services.verify()
    assert not result.ok and "journaled 4 rows, its seals cover 6" in result.problem


def test_the_weekly_anchor_goes_to_each_dpo_and_into_their_journal(chain, clock, make_org):
    from rgpd_app.notifications.models import OutboxMessage

    chain.config["JOURNAL_ANCHOR_DAYS"] = 7  # the default, off for the other tests
    towns = [make_org("Metz"), make_org("Vitré")]
    assert integrity.send_anchors(clock()) == 2
    assert integrity.send_anchors(clock() + timedelta(days=1)) == 0  # once a week
    mails = db.session.scalars(db.select(OutboxMessage)).all()
    assert sorted(m.recipient for m in mails) == sorted(t.dpo_email for t in towns)
    last = db.session.scalars(db.select(JournalSeal).order_by(JournalSeal.id.desc())).first()
    assert last.hash in mails[0].body_text and last.signature in mails[0].body_text
    sent = db.session.scalars(
        db.select(JournalEntry).where(JournalEntry.action == "journal.anchor_sent")
    ).all()
    assert {e.organisation_id for e in sent} == {t.id for t in towns}
    assert json.loads(sent[0].details)["hash"] == last.hash
    assert integrity.send_anchors(clock() + timedelta(days=7)) == 2
