"""`flask db upgrade` on an empty database gives exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from rgpd_app.extensions import db


def test_upgrade_from_empty_matches_the_models(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    try:
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    finally:  # leave no stamp: a later test's upgrade() must start from nothing again
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    assert diff == []


def _insert(conn, table, **values):
    """A row with `values`, every other required column filled with a plain value of its type."""
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        python_type = column.type.python_type
        values[column.name] = {str: "x", int: 0, bool: False}.get(python_type, values.get("at"))
    values.pop("at", None)
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]


def test_tokens_made_before_expiry_existed_get_90_days_from_their_creation(app, clock):
    from datetime import timedelta

    import sqlalchemy as sa
    from flask_migrate import downgrade

    from rgpd_app.accounts import tokens

    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    try:
        upgrade(revision="c3e9a1f5d7b2")  # the revision before token expiry
        tables = sa.MetaData()
        tables.reflect(db.engine, only=["organisation", "user_account", "api_token"])
        created = clock() - timedelta(days=30)
        with db.engine.begin() as conn:
            org = _insert(conn, tables.tables["organisation"], siren="000000000", at=created)
            user = _insert(
                conn,
                tables.tables["user_account"],
                organisation_id=org,
                email="a@b.fr",
                is_enabled=True,
                at=created,
            )
            _insert(
                conn,
                tables.tables["api_token"],
                user_id=user,
                token_hash=tokens._token_hash("rgpd_old"),
                created_at=created,
                at=created,
            )
        upgrade()
        with db.engine.connect() as conn:
            expires = conn.execute(sa.text("SELECT expires_at FROM api_token")).scalar_one()
        expected = created + timedelta(days=90)
        assert str(expires).startswith(expected.strftime("%Y-%m-%d %H:%M:%S"))
        db.session.remove()
        assert tokens.user_for_token("rgpd_old", now=clock()) is not None
        assert tokens.user_for_token("rgpd_old", now=expected) is None
    finally:
        db.session.remove()
        with db.engine.begin() as conn:  # the downgrade drops tables whose rows refer to these
            existing = sa.inspect(conn).get_table_names()
            for table in ("api_token", "user_account", "organisation"):
                if table in existing:
                    conn.exec_driver_sql(f"DELETE FROM {table}")
        downgrade(revision="base")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
