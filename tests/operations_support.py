"""Shared by the operations tests: a database stamped at the migrations' head."""

from contextlib import contextmanager

from sqlalchemy import text

from rgpd_app.extensions import db
from rgpd_app.operations import status


@contextmanager
def stamped_at_head():
    """The alembic_version row `flask db upgrade` leaves (the tests build tables with
    create_all), dropped afterwards: the PostgreSQL database is shared by the process's tests."""
    (head,) = status.migration_heads()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    try:
        yield head
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
