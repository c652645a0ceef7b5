"""`flask rgpd outbox send|list|retry`."""

from rgpd_app.extensions import db
from rgpd_app.notifications import services


def enqueue(clock, to):
    message = services.enqueue_email(to=to, template="notice", context={"title": "T"}, now=clock())
    db.session.commit()
    return message


def test_send_list_and_retry_from_the_command_line(app, runner, clock):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, OUTBOX_MAX_ATTEMPTS=1)
    failed = enqueue(clock, "a@commune.example")
    result = runner.invoke(args=["rgpd", "outbox", "send"])
    assert result.exit_code == 0 and "0 envoyé(s), 0 à réessayer, 1 en échec." in result.output

    enqueue(clock, "b@commune.example")
    listing = runner.invoke(args=["rgpd", "outbox", "list", "--state", "failed"])
    assert listing.exit_code == 0
    assert "a@commune.example" in listing.output and "b@commune.example" not in listing.output
    assert "b@commune.example" in runner.invoke(args=["rgpd", "outbox", "list"]).output

    retried = runner.invoke(args=["rgpd", "outbox", "retry", failed.message_id])
    assert retried.exit_code == 0 and f"Message {failed.id} remis en file." in retried.output
    again = runner.invoke(args=["rgpd", "outbox", "retry", "999"])
    assert again.exit_code != 0 and "introuvable" in again.output

    app.config["SMTP_HOST"] = ""
    assert "2 envoyé(s)" in runner.invoke(args=["rgpd", "outbox", "send"]).output
