"""`flask rgpd evidence build|verify` and `flask rgpd keys rotate-signing`."""

import tempfile
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from encryption import generate_password
from encryption.passwords import MIN_LENGTH
from rgpd_app import clock
from rgpd_app.cli_support import ProgressBar
from rgpd_app.crypto.cli import keys_cli, read_secret
from rgpd_app.errors import ValidationFailed
from rgpd_app.evidence import services
from rgpd_app.evidence.verify import keys_from_document
from rgpd_app.foundation import signing

evidence_cli = AppGroup("evidence", help="Paquets de preuves signés (pour une collectivité).")


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"date AAAA-MM-JJ attendue, pas {value!r}", param_hint=field
        ) from None


def _refused(error: ValidationFailed) -> click.ClickException:
    lines = [f"{field} : {' '.join(messages)}" for field, messages in error.fields.items()]
    return click.ClickException("\n".join(lines))


@evidence_cli.command("build")
@click.option("--controller", "siren", required=True, help="SIREN de la collectivité.")
@click.option("--from", "start", help="Premier jour de la période (AAAA-MM-JJ).")
@click.option("--to", "end", help="Dernier jour de la période (AAAA-MM-JJ ; défaut : aujourd'hui).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
def build(siren, start, end, output, password_stdin):
    """Construire le paquet de preuves signé d'une collectivité pour une période."""
    now = clock.now()
    try:
        controller = services.controller_by_siren(siren)
        period = services.period_of(_day(start, "--from"), _day(end, "--to"), now=now)
    except ValidationFailed as error:
        raise _refused(error) from None
    password = read_secret() if password_stdin else generate_password()
    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"Mot de passe de {MIN_LENGTH} caractères au moins.")
    if not output.parent.is_dir():
        raise click.ClickException(f"Dossier de destination introuvable : {output.parent}.")
    with tempfile.NamedTemporaryFile(dir=output.parent, suffix=".part", delete=False) as part:
        partial = Path(part.name)
    try:
        with ProgressBar("Journal") as bar:
            built = services.build_pack(controller, period, partial, password=password,
                                        actor=None, now=now, progress=bar)  # fmt: skip
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Paquet : {output} ({built.files} fichiers, {built.size} octets)")
    click.echo(f"SHA-256 : {built.sha256}")
    click.echo(f"Clé de signature : {built.manifest['key_id']}")
    if not password_stdin:
        click.echo(f"Mot de passe (affiché une seule fois) : {password}")


@evidence_cli.command("verify")
@click.argument("pack", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Liste des clés publiées (rgpd-evidence-keys.json) au lieu de celles d'ici.",
)
def verify(pack, password_stdin, keys_file):
    """Vérifier un paquet : archive, fichiers, signature, chaîne du journal."""
    password = read_secret() if password_stdin else click.prompt("Mot de passe", hide_input=True)
    keys = keys_from_document(keys_file.read_text(encoding="utf-8")) if keys_file else None
    problems = services.verify(pack, password, now=clock.now(), keys=keys)
    for problem in problems:
        click.echo(f"ÉCHEC : {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Paquet intègre : fichiers, signature et chaîne du journal vérifiés.")


@keys_cli.command("rotate-signing")
def rotate_signing():
    """Nouvelle clé de signature des paquets ; les anciennes restent publiées."""
    old, new = signing.rotate(clock.now())
    click.echo(f"Clé de signature active : {new} (l'ancienne, {old}, reste publiée).")
