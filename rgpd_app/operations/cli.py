"""`flask rgpd status` (the facts of /readyz and /metrics, for an operator at a terminal) and
`flask rgpd backup` / `restore`."""

import json
import os
import sys
from pathlib import Path

import click

from encryption.passwords import MIN_LENGTH
from rgpd_app import clock
from rgpd_app.crypto.cli import read_secret
from rgpd_app.operations import backup, counters, status


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Les mêmes faits en JSON.")
def status_command(as_json):
    """Base, migrations, stockage, messages en attente, exports, worker, sceaux ; code de sortie
    1 quand le service n'est pas prêt (comme /readyz)."""
    facts = status.facts(now=clock.now(), jobs=counters.job_counts())
    if as_json:
        click.echo(json.dumps(facts.as_dict(), sort_keys=True))
    else:
        _print(facts)
    if not facts.readiness.ok:
        sys.exit(1)


def _print(facts: status.Facts) -> None:
    echo = click.echo
    ready = "prêt" if facts.readiness.ok else "PAS PRÊT"
    echo(f"Service : {ready} ({facts.database}, hôte {facts.host})")
    for check, outcome in facts.readiness.checks.items():
        echo(f"  {check:<11} {outcome}")
    echo(f"Migration : {facts.migration or 'aucune'} (tête : {', '.join(facts.migration_heads)})")
    states = ", ".join(f"{state} {count}" for state, count in facts.outbox.items())
    oldest = _age(facts.outbox_oldest_pending_seconds)
    echo(f"Messages : {states} ; plus ancien en attente : {oldest}")
    echo(
        f"Exports : {facts.exports['queued']} en file, {facts.exports['running']} en cours ; "
        f"plus ancien en file : {_age(facts.exports_oldest_queued_seconds)}"
    )
    holder = facts.lock_holder
    if facts.database != "postgresql":
        echo("Worker : SQLite, un seul worker (pas de verrou)")
    elif holder is None:
        echo("Worker : AUCUN ne tient le verrou")
    else:
        seen = (
            (facts.checked_at - holder.last_query_at).total_seconds()
            if holder.last_query_at
            else None
        )
        echo(
            f"Worker : verrou tenu par {holder.application_name or '?'} (pid {holder.pid}, "
            f"{holder.client_addr or 'local'}), vu il y a {_age(seen)}"
        )
    echo(
        f"Journal : dernier sceau n° {facts.latest_seal_id or '—'} il y a "
        f"{_age(facts.latest_seal_seconds)} ; plus ancienne entrée non scellée : "
        f"{_age(facts.oldest_unsealed_seconds)}"
    )
    if facts.jobs:
        echo("Tâches (worker de cet hôte) :")
        for name, job in sorted(facts.jobs.items()):
            echo(f"  {name:<28} {job['runs']:.0f} passage(s), {job['failures']:.0f} échec(s)")
    else:
        echo("Tâches : aucun compteur sur cet hôte (PROMETHEUS_MULTIPROC_DIR du worker)")


def _archive_password(from_stdin: bool, *, confirm: bool) -> str:
    """RGPD_BACKUP_PASSWORD, else standard input (--password-stdin), else a hidden prompt."""
    if os.environ.get("RGPD_BACKUP_PASSWORD"):
        return os.environ["RGPD_BACKUP_PASSWORD"]
    if from_stdin or not sys.stdin.isatty():
        return read_secret()
    return click.prompt("Mot de passe de l'archive", hide_input=True, confirmation_prompt=confirm)


_PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Lire le mot de passe sur l'entrée standard (sinon RGPD_BACKUP_PASSWORD ou une invite).",
)


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@_PASSWORD_STDIN
def backup_command(directory, password_stdin):
    """Sauvegarder la base, le stockage et les secrets de l'instance dans une archive AES-256
    (avec son manifeste SHA-256) écrite dans DIRECTORY, pendant que le service tourne."""
    password = _archive_password(password_stdin, confirm=True)
    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"Mot de passe de moins de {MIN_LENGTH} caractères.")
    try:
        archive = backup.create_backup(directory, password, now=clock.now())
    except backup.BackupRefused as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Sauvegarde écrite : {archive}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_PASSWORD_STDIN
def restore_command(archive, password_stdin):
    """Restaurer ARCHIVE dans une base vide (et un stockage vide) : base, fichiers, secrets."""
    password = _archive_password(password_stdin, confirm=False)
    try:
        done = backup.restore_backup(archive, password, now=clock.now())
    except backup.BackupRefused as err:
        raise click.ClickException(str(err)) from None
    click.echo(
        f"Sauvegarde du {done.created_at} restaurée (migration {done.revision}, "
        f"{done.files} fichier(s) stocké(s)). Redémarrez les processus, puis : "
        "flask rgpd journal verify"
    )
