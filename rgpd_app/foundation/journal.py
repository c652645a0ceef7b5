"""The journal's row, `record`, and `Journaled`: what every use case writes in its transaction."""

import json
from datetime import datetime
from typing import ClassVar

from flask import has_request_context, request
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.types import UTCDateTime


class JournalEntry(db.Model):
    """One traced event. Append-only: `row_hash` and `seal_id` are set once, by the sealer."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    user_email: Mapped[str] = mapped_column(String(254), default="")
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(60), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    row_hash: Mapped[str | None] = mapped_column(String(64))
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_seal.id"), index=True)


def record(
    action: str,
    *,
    now: datetime,
    actor: Actor | None = None,
    user=None,
    organisation_id: int | None = None,
    object_type: str = "",
    object_id="",
    details: dict | None = None,
) -> JournalEntry:
    """Add a journal row to the current transaction; the caller's single commit writes it."""
    user = user if user is not None else (actor.user if actor else None)
    ip = ua = ""
    if actor is not None:
        ip, ua = actor.ip, actor.user_agent
    elif has_request_context():
        ip, ua = request.remote_addr or "", (request.user_agent.string or "")[:300]
    if organisation_id is None and user is not None:
        organisation_id = user.organisation_id
    entry = JournalEntry(
        at=now,
        user_id=user.id if user is not None else None,
        user_email=user.email if user is not None else "",
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        ip=ip,
        user_agent=ua,
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str),
    )
    db.session.add(entry)
    return entry


class Journaled:
    """Something the journal talks about: `thing.journal(action, now=..., actor=..., **details)`
    records one row about it, in the caller's transaction (as indico's `log()` on its models).

    A class names its rows' `journal_type`, the prefix of their actions, the attribute (dotted
    path) holding its key and its organisation (None: the acting user's), and the details every
    row about it carries (`journal_details`); the call's own details come after them."""

    journal_type: ClassVar[str]
    journal_prefix: ClassVar[str] = ""
    journal_key: ClassVar[str] = "id"
    journal_organisation: ClassVar[str | None] = "organisation_id"
    journal_flush: ClassVar[bool] = False  # give a new row its id before it is named
    journal_user: ClassVar[str | None] = None  # who acted when no actor is given

    def journal_details(self) -> dict:
        return {}

    def journal(
        self,
        action: str,
        *,
        now: datetime,
        actor: Actor | None = None,
        organisation_id: int | None = None,
        **details,
    ) -> JournalEntry:
        if self.journal_flush and getattr(self, self.journal_key) is None:
            db.session.flush()
        if organisation_id is None and self.journal_organisation:
            organisation_id = _path(self, self.journal_organisation)
        user = _path(self, self.journal_user) if self.journal_user and actor is None else None
        return record(
            f"{self.journal_prefix}{action}",
            now=now,
            actor=actor,
            user=user,
            organisation_id=organisation_id,
            object_type=self.journal_type,
            object_id=_path(self, self.journal_key),
            details={**self.journal_details(), **details},
        )


def _path(obj, dotted: str):
    for name in dotted.split("."):
        obj = getattr(obj, name)
    return obj
