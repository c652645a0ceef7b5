"""Shared by the `flask rgpd …` command groups: refusals as click errors, progress bars."""

import sys

import click

from rgpd_app.errors import DomainError
from rgpd_app.extensions import db


def fail(err: DomainError) -> click.ClickException:
    """The refusal as a click error naming each field; the session is rolled back first, so
    nothing half-written survives it. Use: `raise fail(err) from None`."""
    db.session.rollback()
    details = "; ".join(f"{k}: {' '.join(v)}" for k, v in err.fields.items())
    return click.ClickException(f"{err.message} {details}".strip())


class ProgressBar:
    """A click progress bar on standard error, fed with how much is done so far.

    Call it with `(done)` or `(done, total)`; the bar opens on the first call, once the total is
    known (given here or to the constructor). Use it as a context manager to close it.
    """

    def __init__(self, label: str, total: int | None = None) -> None:
        self.label, self.total, self.bar, self.done = label, total, None, 0

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def __call__(self, done: int, total: int | None = None) -> None:
        if self.bar is None:
            length = max(total or self.total or 0, 1)
            self.bar = click.progressbar(length=length, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(max(done - self.done, 0))
        self.done = done
