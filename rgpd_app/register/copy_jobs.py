"""Copying a processing to many municipalities as a worker job (1,500 copies took ~15 s in a
request): asked on the copy page or the API, followed on the job's progress page, its result a
report (CSV) of each copy made — the same machinery as long exports (exports/jobs/)."""

from datetime import datetime

from flask import current_app

from rgpd_app.exports import Column
from rgpd_app.exports.building import write_file
from rgpd_app.exports.jobs import services as jobs
from rgpd_app.foundation.actor import Actor
from rgpd_app.register import copying
from rgpd_app.register.access import KEEPER

KIND = "register-copy"
COLUMNS = [
    Column("controller", "Collectivité"),
    Column("siren", "SIREN"),
    Column("activity_id", "Identifiant de la copie"),
    Column(
        "result", "Résultat", get=lambda c: "créée" if c.is_new else "déjà créée par ce travail"
    ),
]


def needs_worker(count: int) -> bool:
    """True when copying to `count` municipalities is too long for a request."""
    return count > current_app.config["COPY_INLINE_MAX"]


def request_copy(source_id: int, controller_ids: list[int], *, actor: Actor, now: datetime):
    """Queue the copy for the worker, after the checks an immediate copy makes."""
    params = {"source_id": source_id, "controller_ids": controller_ids, "since": now.isoformat()}
    return jobs.request_export(KIND, "csv", params, actor=actor, now=now)


def _plan(fmt: str, params: dict, actor: Actor) -> jobs.Plan:
    source = copying.source_of(params["source_id"], actor=actor)
    targets = copying.check_targets(params["controller_ids"])
    return jobs.Plan(
        title=f"Copie de « {source.name} » vers {len(targets)} collectivité(s)",
        filename=f"copies-traitement-{source.id}",
        total=len(targets),
        organisation_id=source.controller_id,
    )


def _write(fmt: str, params: dict, actor: Actor, out, progress, now: datetime) -> int:
    copies = copying.copy_in_batches(
        params["source_id"],
        params["controller_ids"],
        actor=actor,
        now=now,
        since=datetime.fromisoformat(params["since"]),
    )
    return write_file(
        fmt, out, rows=copies, columns=COLUMNS, title="Copies", total=0, progress=progress
    )


EXPORT = jobs.export_kind(roles=(KEEPER,), plan=_plan, write=_write, formats=("csv",))
