"""`flask rgpd outbox …`: send one pass, list, retry."""

import click
from flask.cli import AppGroup

from rgpd_app import clock
from rgpd_app.errors import DomainError
from rgpd_app.notifications import services
from rgpd_app.notifications.models import STATES

outbox_cli = AppGroup("outbox", help="Messages sortants : envoi, liste, renvoi.")


@outbox_cli.command("send")
def send():
    """Envoyer une fois les messages dus."""
    counts = services.send_due(clock.now())
    click.echo(
        f"{counts['sent']} envoyé(s), {counts['retry']} à réessayer, {counts['failed']} en échec."
    )


@outbox_cli.command("list")
@click.option(
    "--state", type=click.Choice(STATES), help="Par défaut : tout ce qui n'est pas envoyé."
)
@click.option("--limit", default=100, show_default=True)
def list_(state, limit):
    """Lister les messages (état, tentatives, prochaine tentative, dernière erreur)."""
    states = (state,) if state else ("failed", "pending", "sending")
    result = services.list_messages(actor=None, now=clock.now(), states=states, per_page=limit)
    for m in result.items:
        nxt = m.next_attempt_at.isoformat() if m.state == "pending" else "-"
        click.echo(
            f"{m.id}\t{m.state}\t{m.channel}\t{m.recipient}\t{m.attempts}\t{nxt}\t{m.last_error}"
        )
    click.echo(f"{result.total} message(s).", err=True)


@outbox_cli.command("retry")
@click.argument("message_id")
def retry(message_id):
    """Remettre en file un message en échec (numéro ou Message-ID)."""
    try:
        message = services.retry_failed(message_id, actor=None, now=clock.now())
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"Message {message.id} remis en file.")
