"""A request that only read ends its transaction with COMMIT (PostgreSQL keeps its prepared
statements); whatever may have written still ends with ROLLBACK, as before."""

import pytest
from flask import abort
from sqlalchemy import select, text

from rgpd_app.extensions import db
from rgpd_app.organisations.models import Organisation


@pytest.fixture
def town(app, make_org):
    town = make_org("Vitré")
    db.session.commit()
    return town


@pytest.fixture
def routes(app, town):
    """Test-only views, added before the app's first request."""

    def reads():
        db.session.execute(select(Organisation.name).where(Organisation.id == town.id)).all()
        if db.engine.dialect.name == "sqlite":
            return "0"
        return str(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")))

    def renames(how):
        found = db.session.get(Organisation, town.id)
        found.name = "Renommée"
        if how == "flushed":
            db.session.flush()
        elif how == "core":
            db.session.execute(
                text("UPDATE organisation SET name = 'Renommée' WHERE id = :id"), {"id": town.id}
            )
            db.session.expire_all()
        elif how == "failed":
            db.session.flush()
            abort(409)
        return "done"  # never committed: whatever it wrote must be rolled back

    app.add_url_rule("/_test/reads", "test_reads", reads)
    app.add_url_rule("/_test/renames/<how>", "test_renames", renames, methods=["GET", "POST"])


def name_of(town) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Organisation.name).where(Organisation.id == town.id))


@pytest.mark.parametrize("how", ["pending", "flushed", "core", "failed"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_what_a_request_wrote_without_committing_is_rolled_back(client, routes, town, how, method):
    answer = getattr(client, method)(f"/_test/renames/{how}")
    assert answer.status_code == (409 if how == "failed" else 200)
    assert name_of(town) == "Vitré"


@pytest.mark.postgres
def test_a_page_that_only_reads_keeps_its_prepared_statements(app, backend, client, routes):
    if backend != "postgres":
        pytest.skip("prepared statements: PostgreSQL (psycopg) only")
    counts = [int(client.get("/_test/reads").text) for _ in range(8)]
    # psycopg prepares a statement at its 6th run on a connection; a rollback would forget it.
    assert counts[:5] == [0] * 5 and counts[-1] >= 1, counts
