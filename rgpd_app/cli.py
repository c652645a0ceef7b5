"""`flask rgpd …` commands. They parse arguments and call services, nothing else."""

import json
import secrets
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from rgpd_app import clock
from rgpd_app.accounts import services, tokens
from rgpd_app.accounts.users import services as management
from rgpd_app.cli_support import fail
from rgpd_app.clocks.cli import deadline as deadline_cli
from rgpd_app.crypto.cli import keys_cli, zip_cli
from rgpd_app.errors import DomainError
from rgpd_app.evidence.cli import evidence_cli
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.notifications.cli import outbox_cli
from rgpd_app.operations.cli import backup_command, restore_command, status_command
from rgpd_app.organisations import services as organisations
from rgpd_app.organisations.models import Organisation
from rgpd_app.organisations.schemas import OrganisationInput
from rgpd_app.register.cli import register_cli
from rgpd_app.validation import load

rgpd = AppGroup("rgpd", help="Administration de rgpd_app.")
journal_cli = AppGroup("journal", help="Journal : scellement, vérification, purge.")
rgpd.add_command(journal_cli)
rgpd.add_command(deadline_cli)
rgpd.add_command(outbox_cli)
rgpd.add_command(zip_cli)
rgpd.add_command(keys_cli)
rgpd.add_command(register_cli)
rgpd.add_command(evidence_cli)
rgpd.add_command(status_command)
rgpd.add_command(backup_command)
rgpd.add_command(restore_command)


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline().rstrip("\n")
    if not line:
        raise click.ClickException("Mot de passe attendu sur l'entrée standard.")
    return line


def _org_by_siren(siren: str) -> Organisation:
    org = db.session.scalar(db.select(Organisation).where(Organisation.siren == siren))
    if org is None:
        raise click.ClickException(f"Aucune organisation avec le SIREN {siren}.")
    return org


@rgpd.command("create-org")
@click.argument("name")
@click.option("--siren", required=True)
@click.option("--departement", required=True)
@click.option("--processor", is_flag=True, help="Le sous-traitant (une seule organisation).")
def create_org(name, siren, departement, processor):
    """Créer une organisation (collectivité, ou le sous-traitant avec --processor)."""
    try:
        data = load(OrganisationInput(), {"name": name, "siren": siren, "departement": departement})
        org = organisations.create_organisation(
            data, is_processor=processor, actor=None, now=clock.now()
        )
    except DomainError as err:
        raise fail(err) from None
    click.echo(f"Organisation {org.id} créée : {org.name} ({org.siren}).")


@rgpd.command("create-user")
@click.argument("email")
@click.option("--org", "siren", required=True, help="SIREN de l'organisation.")
@click.option("--role", required=True, type=click.Choice(roles.ALL_ROLES))
@click.option("--name", default="")
def create_user(email, siren, role, name):
    """Créer un compte ; le mot de passe est lu sur l'entrée standard."""
    org = _org_by_siren(siren)
    if role == roles.AUDITOR:
        raise click.ClickException(
            "Un auditeur s'habilite depuis l'interface (collectivité et dates)."
        )
    try:
        user = management.create_user(
            email=email,
            name=name or email,
            organisation=org,
            password=_read_password(),
            role=role,
            actor=None,
            now=clock.now(),
        )
    except DomainError as err:
        raise fail(err) from None
    click.echo(f"Compte {user.email} créé avec le rôle {role}.")


@rgpd.command("create-admin")
@click.argument("email")
def create_admin(email):
    """Créer un administrateur du sous-traitant ; mot de passe lu sur l'entrée standard."""
    org = organisations.processor()
    if org is None:
        raise click.ClickException(
            "Créez d'abord le sous-traitant : flask rgpd create-org --processor."
        )
    try:
        user = management.create_user(
            email=email,
            name=email,
            organisation=org,
            password=_read_password(),
            role=roles.ADMIN,
            actor=None,
            now=clock.now(),
        )
    except DomainError as err:
        raise fail(err) from None
    click.echo(f"Administrateur {user.email} créé.")


@rgpd.command("token")
@click.argument("email")
@click.option("--label", default="cli")
@click.option(
    "--days",
    type=click.IntRange(1, tokens.MAX_DAYS),
    default=tokens.DEFAULT_DAYS,
    show_default=True,
    help="Durée de validité en jours.",
)
def token(email, label, days):
    """Créer un jeton d'API pour un compte et l'afficher (une seule fois)."""
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"Aucun compte {email}.")
    click.echo(tokens.create_token(user, label=label, valid_days=days, actor=None, now=clock.now()))


@rgpd.command("demo")
@click.option(
    "--municipalities",
    "extra",
    default=0,
    type=click.IntRange(0, 20000),
    help="Ajouter N collectivités générées (avec leurs traitements) pour essayer à l'échelle.",
)
def demo(extra):
    """Charger les données de démonstration (une seule fois), datées d'aujourd'hui."""
    from rgpd_app.demo import load_demo, scale
    from rgpd_app.demo.cases import PROCESSOR_DPO, actor

    now = clock.now()
    created = load_demo(now=now, password_factory=lambda: secrets.token_urlsafe(12))
    if created:
        click.echo("Comptes de démonstration (mots de passe affichés une seule fois) :")
        for email, role, password in created:
            click.echo(f"  {role:<17} {email:<34} {password}")
    elif not extra:
        click.echo("Les données de démonstration sont déjà chargées.")
    if extra:
        scale.add_municipalities(extra, actor=actor(PROCESSOR_DPO, now), now=now)
        click.echo(f"{extra} collectivités générées ajoutées, avec leurs traitements.")


@rgpd.command("worker")
@click.option("--once", is_flag=True, help="Un seul passage puis sortie.")
@click.option("--interval", default=60, show_default=True, help="Secondes entre deux passages.")
def worker(once, interval):
    """Lancer le worker (tâches planifiées, envoi des messages)."""
    import logging

    from rgpd_app.scheduler import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # APScheduler would log each run of the queue poller (every few seconds); our own lines say
    # what each tick did and which queued work ran.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    code = run_worker(current_app._get_current_object(), once=once, interval_seconds=interval)
    if code:
        sys.exit(code)


@journal_cli.command("seal")
def journal_seal():
    """Sceller les entrées non scellées dans la chaîne SHA-256."""
    from rgpd_app.journal import services as journal

    link = journal.seal(now=clock.now())
    click.echo(f"Scellé jusqu'à l'entrée {link.last_entry_id}." if link else "Rien à sceller.")


@journal_cli.command("verify")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="SCEAU:EMPREINTE",
    help="Une ancre reçue par courriel (n° du sceau et son empreinte), à retrouver dans la chaîne.",
)
def journal_verify(as_json, anchors):
    """Vérifier la chaîne, ses signatures, ses purges et ses ancres ; code de sortie non nul au
    premier sceau ou à la première entrée qui ne correspond pas."""
    from rgpd_app.journal import services as journal

    given = []
    for text in anchors:
        seal_id, _, seal_hash = text.partition(":")
        if not seal_id.isdigit() or len(seal_hash) != 64:
            raise click.BadParameter(
                f"attendu SCEAU:EMPREINTE, reçu « {text} »", param_hint="--anchor"
            )
        given.append({"seal_id": int(seal_id), "hash": seal_hash.lower()})
    result = journal.verify(anchors=tuple(given))
    if as_json:
        click.echo(json.dumps(result.__dict__))
    elif result.ok:
        click.echo(
            f"Chaîne intègre : {result.seals} sceaux, {result.entries} entrées vérifiées, "
            f"{result.unsealed} entrée(s) pas encore scellée(s)."
        )
    if not result.ok:
        click.echo(f"Chaîne rompue : {result.problem}", err=True)
        sys.exit(1)


@journal_cli.command("purge")
def journal_purge():
    """Purger les entrées plus anciennes que la durée de conservation."""
    from rgpd_app.journal import services as journal

    count = journal.purge(
        now=clock.now(), retention_days=current_app.config["JOURNAL_RETENTION_DAYS"]
    )
    click.echo(f"{count} entrées purgées.")


def init_app(app) -> None:
    app.cli.add_command(rgpd)
