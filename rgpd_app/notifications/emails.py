"""E-mail content: Jinja templates rendered in French, and the MIME message built from a row."""

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from rgpd_app.errors import ValidationFailed
from rgpd_app.messages import N_

EMAIL_LOCALE = "fr"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _absolute(link: str, base_url: str) -> str:
    if link and link.startswith("/"):
        return base_url.rstrip("/") + link
    return link


def render_email(template: str, context: dict) -> RenderedEmail:
    """Render templates/emails/<template>.{subject.txt,txt,html}; a context `subject` wins."""
    env = current_app.jinja_env
    base_url = current_app.config["BASE_URL"].rstrip("/")
    values = {**context, "base_url": base_url}
    if isinstance(values.get("link"), str):
        values["link"] = _absolute(values["link"], base_url)
    # E-mails go to people whose UI language we do not know: always French, never the
    # language of whoever triggered the event.
    with force_locale(EMAIL_LOCALE):
        try:
            text = env.get_template(f"emails/{template}.txt").render(values)
            html = env.get_template(f"emails/{template}.html").render(values)
        except TemplateNotFound as err:
            raise ValidationFailed(
                {"template": [N_("Modèle d'e-mail inconnu : %(name)s.", name=err.name)]}
            ) from err
        subject = context.get("subject")
        if not subject:
            subject = env.get_template(f"emails/{template}.subject.txt").render(values)
    return RenderedEmail(
        subject=" ".join(str(subject).split())[:300], text=_tidy(text), html=html.strip() + "\n"
    )


def _tidy(text: str) -> str:
    """Plain text: at most one blank line in a row, one final newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def build_message(row, *, mail_from: str) -> EmailMessage:
    """The MIME message of an outbox row; the same bytes on every attempt but the transport's."""
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = mail_from
    message["To"] = row.recipient
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message
