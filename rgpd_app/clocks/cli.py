"""`flask rgpd deadline`: the calculator for scripts and people at a terminal."""

import json

import click
from flask.cli import with_appcontext

from rgpd_app.clocks import rules, services
from rgpd_app.clocks.schemas import DeadlineQueryInput
from rgpd_app.errors import ValidationFailed
from rgpd_app.validation import load


@click.command("deadline")
@click.argument("clock_name", metavar="CLOCK")
@click.argument("start")
@click.option(
    "--calendar",
    "calendar_code",
    default="FR",
    show_default=True,
    help="Calendrier des jours fériés : FR, 57 (Moselle), 67 ou 68 (Alsace).",
)
@click.option("--length", default=None, help="Durée à la place de la valeur par défaut.")
@click.option("--json", "as_json", is_flag=True, help="Un objet JSON au lieu du texte.")
@with_appcontext
def deadline(clock_name, start, calendar_code, length, as_json):
    """Calculer l'échéance d'un délai du contrat et l'expliquer.

    CLOCK : breach-processor, breach-authority, subprocessor-objection, audit-notice,
    auditor-refusal, audit-observations, audit-corrective, next-audit, assistance,
    assistance-extended. START : une date AAAA-MM-JJ, ou une date et heure ISO 8601
    (avec décalage, sinon heure de Paris).
    """
    raw = {"clock": clock_name, "start": start, "calendar": calendar_code}
    if length is not None:
        raw["length"] = length
    try:
        data = load(DeadlineQueryInput(), raw)
        result = services.compute(
            data["clock"], data["start"], data["calendar"], length=data["length"]
        )
    except ValidationFailed as err:
        click.echo(f"Erreur : {err.message}", err=True)
        for field, messages in err.fields.items():
            click.echo(f"  {field} : {' '.join(messages)}", err=True)
        raise click.exceptions.Exit(2) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    values = result.to_dict()
    click.echo(f"{result.clock.label} ({result.clock.name})")
    if not result.is_hours:
        click.echo(f"Calendrier : {result.calendar.label} ({result.calendar.code})")
    click.echo(f"Échéance : {rules.deadline_fr(result.deadline.deadline)}")
    click.echo(f"Échéance (ISO 8601) : {values['deadline']}")
    click.echo(f"Clôture : {values['closes_at']}")
    click.echo("Explication :")
    for number, step in enumerate(result.deadline.steps, start=1):
        click.echo(f"  {number}. {step.text}")
