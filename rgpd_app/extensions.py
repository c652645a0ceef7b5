"""Extensions, created unbound and bound in create_app."""

import select

from flask import g, has_app_context, has_request_context, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale():
    # The worker and the CLI: see force_locale in exports/jobs/services.py.
    if not has_request_context():
        return "fr"
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.language:
        return current_user.language
    lang = session.get("lang")
    if lang in ("fr", "en"):
        return lang
    return request.accept_languages.best_match(["fr", "en"]) or "fr"


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _drop_closed_connection(dbapi_connection, _record, _proxy) -> None:
    """At checkout, a pooled connection whose socket has something to read is one the server
    closed while it sat idle (a restart, pg_terminate_backend: the server sends its FATAL
    message and closes; an idle connection is sent nothing else): the pool connects again,
    and the page works. No round trip, where SQLAlchemy's pre-ping sent one per checkout
    (PostgreSQL's time for the register page, bench/web.py)."""
    closed = getattr(dbapi_connection, "closed", False)
    if not closed:
        poll = select.poll()
        poll.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
        closed = bool(poll.poll(0))
    if closed:
        raise exc.DisconnectionError("closed by the server while idle in the pool")


# Statements that read only: a transaction that ran nothing else ends the same way committed
# or rolled back.
READING = ("SELECT", "SHOW")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _note_writes(_conn, _cursor, statement, *_args) -> None:
    if has_app_context() and not statement.lstrip()[:6].upper().startswith(READING):
        g._rgpd_wrote = True


def _end_reading_transaction(exc) -> None:
    """A page that only read ends its transaction with COMMIT rather than Flask-SQLAlchemy's
    ROLLBACK (which runs next): psycopg forgets a connection's prepared statements at each
    rollback, so every page planned its queries again (0.6 ms of PostgreSQL's time for the
    register list's, bench/web.py). Anything else keeps the rollback: an error, a request that
    may write, a statement other than a SELECT, a change pending in the session."""
    if exc is not None or request.method not in SAFE_METHODS:
        return
    if g.get("_rgpd_wrote") or not db.session.registry.has():
        return
    current = db.session()
    if current.get_transaction() is None or current.new or current.dirty or current.deleted:
        return
    # Nothing is expired, as with the rollback it replaces: a streamed body still reads the
    # objects the view loaded, after the session is closed.
    expiring, current.expire_on_commit = current.expire_on_commit, False
    try:
        current.commit()
    except Exception:  # the connection went away: Flask-SQLAlchemy's rollback follows
        return
    finally:
        current.expire_on_commit = expiring


def init_app(app) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
        else:
            event.listen(db.engine, "checkout", _drop_closed_connection)
            event.listen(db.engine, "before_cursor_execute", _note_writes)
            # A request's teardown runs before the app context's (Flask-SQLAlchemy's rollback).
            app.teardown_request(_end_reading_transaction)
