"""Settings from RGPD_* environment variables and the instance folder."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def instance_path(test_config=None) -> str:
    if test_config and test_config.get("INSTANCE_PATH"):
        path = Path(test_config["INSTANCE_PATH"])
    else:
        path = Path(os.environ.get("RGPD_INSTANCE_PATH", "instance"))
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def _secret_key(instance: Path) -> str:
    """The secret key is generated once and kept in the instance folder, never in the repo."""
    if os.environ.get("RGPD_SECRET_KEY"):
        return os.environ["RGPD_SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load(app, test_config=None) -> None:
    instance = Path(app.instance_path)
    default_db = f"sqlite:///{instance / 'rgpd.sqlite3'}"
    app.config.from_mapping(
        SECRET_KEY=_secret_key(instance),
        SQLALCHEMY_DATABASE_URI=os.environ.get("RGPD_DATABASE_URL", default_db),
        # A pooled PostgreSQL connection the server has closed (a restart, a terminated backend)
        # is replaced at checkout without a round trip (extensions._drop_closed_connection);
        # RGPD_DB_PRE_PING=1 adds SQLAlchemy's ping, a round trip per checkout, for networks
        # that drop idle connections silently (a NAT or firewall timeout).
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": _bool("RGPD_DB_PRE_PING", False)},
        # Idle sessions expire after 30 minutes (annex §1).
        PERMANENT_SESSION_LIFETIME=timedelta(
            minutes=int(os.environ.get("RGPD_IDLE_MINUTES", "30"))
        ),
        # The cookie is sent again when the session changes (web.SEEN_EVERY), not on every page.
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_bool("RGPD_SECURE_COOKIES", False),
        # A session ends this many hours after its sign-in, whatever the activity.
        SESSION_MAX_HOURS=float(os.environ.get("RGPD_SESSION_MAX_HOURS", "12")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (ProxyFix):
        # 0 (default) trusts none, so a client cannot forge its address.
        TRUSTED_PROXIES=int(os.environ.get("RGPD_TRUSTED_PROXIES", "0")),
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_DEFAULT_TIMEZONE="Europe/Paris",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        LANGUAGES=("fr", "en"),
        RATELIMIT_STORAGE_URI=os.environ.get("RGPD_RATELIMIT_STORAGE_URL", "memory://"),
        RATELIMIT_LOGIN=os.environ.get("RGPD_RATELIMIT_LOGIN", "20 per minute"),
        RATELIMIT_HEADERS_ENABLED=True,
        # Per API token; past it, 429 with Retry-After.
        RATELIMIT_API=os.environ.get("RGPD_RATELIMIT_API", "600 per minute"),
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCK_MINUTES=15,
        PASSWORD_MAX_CHANGES_PER_DAY=2,
        # A sensitive action (roles, tokens, whole registers, evidence packs) needs an identity
        # confirmed within this many minutes (ASVS 5.0 V7.5).
        REAUTH_MINUTES=int(os.environ.get("RGPD_REAUTH_MINUTES", "10")),
        JOURNAL_RETENTION_DAYS=int(os.environ.get("RGPD_JOURNAL_RETENTION_DAYS", "365")),
        # A journal row not sealed after this long is reported by `journal verify`.
        # The latest seal is e-mailed to every municipality's DPO every this many days (0: never).
        JOURNAL_ANCHOR_DAYS=int(os.environ.get("RGPD_JOURNAL_ANCHOR_DAYS", "7")),
        JOURNAL_SEAL_MAX_MINUTES=int(os.environ.get("RGPD_JOURNAL_SEAL_MAX_MINUTES", "15")),
        PAGE_SIZE=25,
        # The processor's own OpenID provider (issue 20), used while the administration page
        # has not configured one: issuer, client id and secret, scopes, and the acr/amr values
        # that assert a multi-factor sign-in (space-separated).
        OIDC_ISSUER=os.environ.get("RGPD_OIDC_ISSUER", ""),
        OIDC_CLIENT_ID=os.environ.get("RGPD_OIDC_CLIENT_ID", ""),
        OIDC_CLIENT_SECRET=os.environ.get("RGPD_OIDC_CLIENT_SECRET", ""),
        OIDC_SCOPES=os.environ.get("RGPD_OIDC_SCOPES", "openid email profile"),
        OIDC_LABEL=os.environ.get("RGPD_OIDC_LABEL", ""),
        OIDC_MFA_ACR_VALUES=os.environ.get("RGPD_OIDC_MFA_ACR_VALUES", ""),
        OIDC_MFA_AMR_VALUES=os.environ.get("RGPD_OIDC_MFA_AMR_VALUES", "mfa"),
        OIDC_TIMEOUT_SECONDS=int(os.environ.get("RGPD_OIDC_TIMEOUT_SECONDS", "10")),
        # Minutes a browser has to come back from the provider once a sign-in is started.
        OIDC_PENDING_MINUTES=int(os.environ.get("RGPD_OIDC_PENDING_MINUTES", "10")),
        BASE_URL=os.environ.get("RGPD_BASE_URL", "http://127.0.0.1:5000"),
        MAIL_DIR=os.environ.get("RGPD_MAIL_DIR", str(instance / "mail")),
        SMTP_HOST=os.environ.get("RGPD_SMTP_HOST", ""),
        SMTP_PORT=int(os.environ.get("RGPD_SMTP_PORT", "587")),
        SMTP_USER=os.environ.get("RGPD_SMTP_USER", ""),
        SMTP_PASSWORD=os.environ.get("RGPD_SMTP_PASSWORD", ""),
        SMTP_STARTTLS=_bool("RGPD_SMTP_STARTTLS", True),
        MAIL_FROM=os.environ.get("RGPD_MAIL_FROM", "rgpd@localhost"),
        WEBHOOK_URLS=[u for u in os.environ.get("RGPD_WEBHOOK_URLS", "").split() if u],
        WEBHOOK_SECRET=os.environ.get("RGPD_WEBHOOK_SECRET", ""),
        SMTP_CAFILE=os.environ.get("RGPD_SMTP_CAFILE", ""),  # empty: the system's CAs
        SMTP_TIMEOUT_SECONDS=int(os.environ.get("RGPD_SMTP_TIMEOUT_SECONDS", "15")),
        WEBHOOK_TIMEOUT_SECONDS=int(os.environ.get("RGPD_WEBHOOK_TIMEOUT_SECONDS", "5")),
        OUTBOX_MAX_ATTEMPTS=int(os.environ.get("RGPD_OUTBOX_MAX_ATTEMPTS", "12")),
        OUTBOX_SENDING_TIMEOUT_MINUTES=int(
            os.environ.get("RGPD_OUTBOX_SENDING_TIMEOUT_MINUTES", "10")
        ),
        STORAGE_ROOT=os.environ.get("RGPD_STORAGE_ROOT", str(instance / "storage")),
        FORCE_HTTPS=_bool("RGPD_FORCE_HTTPS", False),
        # Bearer token of /metrics (Prometheus); empty: the page does not exist.
        METRICS_TOKEN=os.environ.get("RGPD_METRICS_TOKEN", ""),
        # Annex 2.1: categories the processor's policy prohibits, "name|synonym;name2|…".
        PROHIBITED_CATEGORIES=os.environ.get(
            "RGPD_PROHIBITED_CATEGORIES",
            "origine ethnique|origine raciale|ethnie;opinions politiques|opinion politique;"
            "opinions philosophiques|opinion philosophique|convictions philosophiques;"
            "opinions religieuses|opinion religieuse|convictions religieuses|religion;"
            "appartenance syndicale|syndicat|syndicale;santé|sante|médical|médicale|maladie;"
            "orientation sexuelle|vie sexuelle",
        ),
        RGPD_AUDIT_COMPETITORS=os.environ.get("RGPD_AUDIT_COMPETITORS", ""),
        # Field encryption keys: JSON in RGPD_FIELD_KEYS, else a 0600 file created on first use.
        FIELD_KEYS=os.environ.get("RGPD_FIELD_KEYS", ""),
        FIELD_KEYS_FILE=os.environ.get("RGPD_FIELD_KEYS_FILE", str(instance / "field_keys.json")),
        # Ed25519 keys signing the evidence packs (shared by every web host and the worker).
        SIGNING_KEYS_FILE=os.environ.get(
            "RGPD_SIGNING_KEYS_FILE", str(instance / "signing-keys.json")
        ),
        # Deposits (issue 8): upload ceiling, FTP server (FTPS by default), retention flag.
        MAX_CONTENT_LENGTH=int(os.environ.get("RGPD_MAX_UPLOAD_MB", "2048")) * 1024 * 1024,
        DEPOSIT_MAX_DAYS=int(os.environ.get("RGPD_DEPOSIT_MAX_DAYS", "30")),
        FTP_HOST=os.environ.get("RGPD_FTP_HOST", ""),
        FTP_PORT=int(os.environ.get("RGPD_FTP_PORT", "21")),
        FTP_USER=os.environ.get("RGPD_FTP_USER", ""),
        FTP_PASSWORD=os.environ.get("RGPD_FTP_PASSWORD", ""),
        FTP_INBOX=os.environ.get("RGPD_FTP_INBOX", "/depot"),
        FTP_OUTBOX=os.environ.get("RGPD_FTP_OUTBOX", "/retrait"),
        FTP_TLS=_bool("RGPD_FTP_TLS", True),
        FTP_CAFILE=os.environ.get("RGPD_FTP_CAFILE", ""),  # empty: the system's CAs
        FTP_TIMEOUT_SECONDS=int(os.environ.get("RGPD_FTP_TIMEOUT_SECONDS", "30")),
        # Long exports (DESIGN §5): past these many rows an XLSX, ODS or PDF export is built by
        # the worker; its file is kept this many hours.
        EXPORT_INLINE_MAX_ROWS={
            "xlsx": int(os.environ.get("RGPD_EXPORT_INLINE_XLSX", "5000")),
            "ods": int(os.environ.get("RGPD_EXPORT_INLINE_ODS", "5000")),
            "pdf": int(os.environ.get("RGPD_EXPORT_INLINE_PDF", "100")),
        },
        EXPORT_FILE_HOURS=int(os.environ.get("RGPD_EXPORT_FILE_HOURS", "24")),
        # Copying a processing to more municipalities than this runs in the worker.
        COPY_INLINE_MAX=int(os.environ.get("RGPD_COPY_INLINE_MAX", "25")),
        # A PDF of several chunks is laid out by this many renderer processes, each replaced
        # after this many chunks (WeasyPrint's native memory grows with what it lays out).
        EXPORT_PDF_PROCESSES=int(os.environ.get("RGPD_EXPORT_PDF_PROCESSES", "2")),
        EXPORT_PDF_CHUNKS_PER_PROCESS=int(
            os.environ.get("RGPD_EXPORT_PDF_CHUNKS_PER_PROCESS", "20")
        ),
        # How often the worker looks for queued work (long exports) between its minute ticks.
        WORKER_QUEUE_POLL_SECONDS=int(os.environ.get("RGPD_WORKER_QUEUE_POLL_SECONDS", "3")),
        # After this many ticks in a row that could not reach the database, the worker exits
        # non-zero so that its supervisor (systemd Restart=always) starts a fresh process.
        WORKER_MAX_FAILED_TICKS=int(os.environ.get("RGPD_WORKER_MAX_FAILED_TICKS", "5")),
        # Bodies of sent or failed messages (personal data) are blanked after this many days;
        # the delivery record (recipient, subject, Message-ID, attempts, acceptance) stays.
        OUTBOX_BODY_RETENTION_DAYS=int(os.environ.get("RGPD_OUTBOX_BODY_RETENTION_DAYS", "90")),
        # Bounds on an uploaded register (read and converted by register/files/sheet_limits.Limits).
        **{
            name[len("RGPD_") :]: value
            for name, value in os.environ.items()
            if name.startswith("RGPD_REGISTER_IMPORT_MAX_")
            and name != "RGPD_REGISTER_IMPORT_MAX_BYTES"
        },
    )
    if test_config:
        app.config.update(test_config)
    _create_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgres://") :]
    elif uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "postgresql+psycopg://" + uri[len("postgresql://") :]
        )


def _create_sqlite_file(uri: str) -> None:
    """Create a missing SQLite database file 0600 (ASVS 5.0 V14.2.4).

    SQLite would create it with the process umask (0644 as a rule); it gives its -wal and -shm
    files the database file's own permissions, so those are owner-only too. An empty file is an
    empty database. An existing file keeps its mode: `chmod 600` it once when upgrading.
    """
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return
    path = Path(name)
    if path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
