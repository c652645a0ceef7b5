"""The HTTP conventions an integrator expects, the same on every /api/v1 blueprint:
- lists: RFC 8288 `Link` headers (first, prev, next, last) next to the totals in the body;
- single resources: an `ETag`, and `If-Match` on PUT/PATCH (412 when the resource has changed);
- creations: `Idempotency-Key` on POST (the same key and body within 24 h answers the first
  result, marked `Idempotent-Replayed: true`; another body with the same key answers 422);
- a request rate per token (429 with `Retry-After`, flask-limiter).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from math import ceil
from urllib.parse import urlencode

from flask import Response, current_app, g, request
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import ETags
from werkzeug.http import generate_etag

from rgpd_app import clock
from rgpd_app.errors import Conflict, DomainError, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.messages import N_

IDEMPOTENCY_HOURS = 24
KEY_MAX = 200


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


class IdempotencyKey(db.Model):
    """A creation asked with an Idempotency-Key, and its first answer once it has one."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    fingerprint: Mapped[str] = mapped_column(String(64))  # method, path, query and body
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[int | None] = mapped_column(Integer)  # None while the first one runs
    body: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(500))


def install(bp) -> None:
    """Called by api_blueprint after its authentication hook."""
    bp.before_request(_before)
    bp.after_request(_after)
    bp.teardown_request(_teardown)


# --- before the view -------------------------------------------------------------------------


def _before():
    if request.method == "POST" and request.headers.get("Idempotency-Key") is not None:
        return _replay_or_reserve(request.headers["Idempotency-Key"])
    if request.method in {"PUT", "PATCH"} and request.if_match:
        _check_if_match(request.if_match)
    return None


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode()):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay_or_reserve(key: str):
    if not 1 <= len(key) <= KEY_MAX:
        raise ValidationFailed({"Idempotency-Key": [N_("Entre 1 et 200 caractères.")]})
    user_id, now = g.api_actor.user.id, clock.now()
    fingerprint = _fingerprint()
    found = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if found is not None and found.created_at < now - timedelta(hours=IDEMPOTENCY_HOURS):
        db.session.delete(found)
        db.session.commit()
        found = None
    if found is None:
        reserved = IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint, created_at=now)
        db.session.add(reserved)
        try:
            db.session.commit()
        except IntegrityError:  # the same key, at the same instant, from another process
            db.session.rollback()
            raise _in_progress() from None
        g.idempotency_id = reserved.id
        return None
    if found.fingerprint != fingerprint:
        raise KeyReused(
            N_(
                "Cette clé d'idempotence a déjà servi pour une autre requête : "
                "choisissez une nouvelle clé."
            )
        )
    if found.status is None:
        raise _in_progress()
    replay = Response(found.body, status=found.status, content_type=found.content_type)
    if found.location:
        replay.headers["Location"] = found.location
    replay.headers["Idempotent-Replayed"] = "true"
    return replay


def _in_progress() -> Conflict:
    return Conflict(
        N_("Une requête avec cette clé d'idempotence est en cours : réessayez dans un instant."),
        code="idempotency_in_progress",
    )


def current_etag(path: str) -> str | None:
    """The ETag the GET of `path` would answer now (None when there is no such GET)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, args = adapter.match(path, method="GET")
    except Exception:  # noqa: BLE001  (no GET here: nothing to compare)
        return None
    response = current_app.make_response(current_app.view_functions[endpoint](**args))
    if response.status_code != 200 or response.is_streamed:
        return None
    return generate_etag(response.get_data())


def _check_if_match(if_match: ETags) -> None:
    if if_match.star_tag:
        return
    etag = current_etag(request.path)
    if etag is not None and not if_match.contains(etag):
        db.session.rollback()
        raise PreconditionFailed(
            N_(
                "La ressource a changé depuis votre lecture (If-Match) : relisez-la "
                "puis recommencez."
            )
        )


# --- after the view --------------------------------------------------------------------------


def _after(response: Response) -> Response:
    _store_idempotent(response)
    if request.method == "GET" and response.status_code == 200 and response.is_json:
        if not response.is_streamed:
            response.add_etag()
            _add_links(response)
    return response


def _store_idempotent(response: Response) -> None:
    reserved_id = g.pop("idempotency_id", None)
    if reserved_id is None:
        return
    reserved = db.session.get(IdempotencyKey, reserved_id)
    if reserved is None:
        return
    if 200 <= response.status_code < 300 and not response.is_streamed:
        reserved.status = response.status_code
        reserved.body = response.get_data(as_text=True)
        reserved.content_type = response.content_type
        reserved.location = response.headers.get("Location")
    else:  # nothing was created: the key may be used again once the request is fixed
        db.session.delete(reserved)
    db.session.commit()


def _teardown(exc) -> None:
    reserved_id = g.pop("idempotency_id", None)
    if exc is not None and reserved_id is not None:  # a server error: free the key
        db.session.rollback()
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == reserved_id))
        db.session.commit()


def _page_url(page: int) -> str:
    args = request.args.copy()
    args["page"] = str(page)
    return f"{request.base_url}?{urlencode(list(args.items(multi=True)))}"


def _add_links(response: Response) -> None:
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return
    if not isinstance(body, dict) or not {"total", "page", "per_page"} <= body.keys():
        return
    page, per_page, total = body["page"], body["per_page"], body["total"]
    if not all(isinstance(v, int) for v in (page, per_page, total)) or per_page < 1:
        return
    last = max(1, ceil(total / per_page))
    links = [(1, "first")]
    if page > 1:
        links.append((min(page - 1, last), "prev"))
    if page < last:
        links.append((page + 1, "next"))
    links.append((last, "last"))
    response.headers["Link"] = ", ".join(f'<{_page_url(n)}>; rel="{rel}"' for n, rel in links)


def purge(now: datetime) -> int:
    """Forget the keys older than 24 h (the worker's daily round)."""
    cutoff = now - timedelta(hours=IDEMPOTENCY_HOURS)
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    db.session.commit()
    return result.rowcount or 0
