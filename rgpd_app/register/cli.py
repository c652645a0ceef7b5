"""`flask rgpd register export`: the register to a file, with a progress bar (DESIGN §5)."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from rgpd_app import clock
from rgpd_app.accounts.models import User
from rgpd_app.cli_support import ProgressBar, fail
from rgpd_app.errors import DomainError
from rgpd_app.exports import FORMATS
from rgpd_app.exports.jobs.services import export_to_file
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.exporting import PROCESSOR_REGISTER, REGISTERS
from rgpd_app.register.listing import Filters

register_cli = AppGroup("register", help="Registre des traitements.")


@register_cli.command("export")
@click.option("--as", "email", required=True, help="Compte dont les droits s'appliquent.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "--register", type=click.Choice(REGISTERS), default=PROCESSOR_REGISTER, show_default=True
)
@click.option("--controller", "siren", help="SIREN de la collectivité (art. 30.1, liste).")
@click.option("--status", default="", help="Statut (liste filtrée).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export(email, fmt, register, siren, status, output):
    """Écrire le registre dans OUTPUT, journalisé au nom du compte --as."""
    now = clock.now()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        raise click.ClickException(f"Aucun compte actif {email}.")
    controller_id = None
    if siren:
        controller_id = db.session.scalar(
            select(Organisation.id).where(Organisation.siren == siren)
        )
        if controller_id is None:
            raise click.ClickException(f"Aucune organisation avec le SIREN {siren}.")
    filters = Filters(controller_id=controller_id, status=status)
    try:
        with ProgressBar(output.name) as bar:
            count, digest, size = export_to_file(
                "register", fmt, {"register": register, "filters": filters.as_dict()}, output,
                actor=actor_for(user, now), now=now, progress=bar,
            )  # fmt: skip
    except DomainError as err:
        raise fail(err) from None
    click.echo(f"{output}: {count} traitement(s), {size} octets, SHA-256 {digest}")
