"""The only place that reads the clock; tests replace `now` through the app config."""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """Current instant, aware UTC. `app.config["NOW"]` (a callable) overrides it in tests."""
    if has_app_context():
        override = current_app.config.get("NOW")
        if override is not None:
            return override()
    return datetime.now(UTC)
