"""Finding a municipality by what a person types — its SIREN, its name or a part of it — in
place of a list of every municipality (1,500 options were 90 kB of the register page).

The search runs on the server, so the field works without JavaScript; `static/suggest.js`
only fills the field's suggestions as the person types."""

import re
from dataclasses import dataclass

from sqlalchemy import case, func, select

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.paging import contains
from rgpd_app.validation import id_value

SIREN_IN_TEXT = re.compile(r"(?<!\d)(\d{9})(?!\d)")  # "Montigny-lès-Metz (215704632)"
SUGGESTIONS = 10


@dataclass(frozen=True)
class Match:
    id: int
    name: str
    siren: str

    @property
    def label(self) -> str:
        """What the field shows once chosen, and what it resolves back to one municipality."""
        return f"{self.name} ({self.siren})"


class Ambiguous(ValidationFailed):
    """Several municipalities match: the form says so and offers them."""

    def __init__(self, field: str, text: str, candidates: list[Match]):
        if len(candidates) > SUGGESTIONS:
            message = N_(
                "Plusieurs collectivités correspondent à « %(text)s » (les 10 premières sont "
                "proposées) : précisez le nom ou le SIREN.",
                text=text,
            )
        else:
            message = N_(
                "Plusieurs collectivités correspondent à « %(text)s » : précisez le nom ou le "
                "SIREN.",
                text=text,
            )
        super().__init__({field: [message]})
        self.candidates = candidates[:SUGGESTIONS]


def matches(text: str, *, actor: Actor, limit: int = SUGGESTIONS) -> list[Match]:
    """Municipalities the actor sees whose SIREN is in `text`, or whose name contains it
    (case ignored); the exact name first, then by name."""
    text = text.strip()
    if not text:
        return []
    stmt = select(Organisation.id, Organisation.name, Organisation.siren).where(
        Organisation.kind == CONTROLLER
    )
    siren = SIREN_IN_TEXT.search(text)
    if siren:
        stmt = stmt.where(Organisation.siren == siren.group(1))
    else:
        exact = func.lower(Organisation.name) == text.lower()
        stmt = stmt.where(contains(Organisation.name, text)).order_by(case((exact, 0), else_=1))
    stmt = scope(stmt, Organisation.id, actor).order_by(Organisation.name, Organisation.id)
    return [Match(*row) for row in db.session.execute(stmt.limit(limit))]


def resolve(text: str, *, actor: Actor, field: str) -> Match | None:
    """The one municipality `text` designates (None when empty); a ValidationFailed on `field`
    when none or several match — several: an `Ambiguous` carrying the candidates."""
    text = text.strip()
    if not text:
        return None
    found = matches(text, actor=actor, limit=SUGGESTIONS + 1)
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationFailed(
            {field: [N_("Aucune collectivité ne correspond à « %(text)s ».", text=text)]}
        )
    exact = [m for m in found if m.name.lower() == text.lower()]
    if len(exact) == 1:
        return exact[0]
    raise Ambiguous(field, text, found)


def resolve_many(text: str, *, actor: Actor, field: str) -> list[Match]:
    """One municipality per line (or per ";") of `text`, each resolved as `resolve` does; every
    line that fails is named in one ValidationFailed, so the person fixes them all at once."""
    chosen, problems = {}, []
    for line in re.split(r"[\n;]", text):
        try:
            match = resolve(line, actor=actor, field=field)
        except ValidationFailed as err:
            problems.extend(err.fields[field])
            continue
        if match is not None:
            chosen.setdefault(match.id, match)
    if problems:
        raise ValidationFailed({field: problems})
    return list(chosen.values())


def label_of(organisation_id: int | None, *, actor: Actor) -> str:
    """The field's text for an already chosen municipality (a link's `controller_id`)."""
    if not organisation_id:
        return ""
    stmt = select(Organisation.id, Organisation.name, Organisation.siren).where(
        Organisation.id == organisation_id
    )
    row = db.session.execute(scope(stmt, Organisation.id, actor)).first()
    return Match(*row).label if row else ""


def controller_ids(
    *, actor: Actor, departements: tuple[str, ...] = (), everyone=False
) -> list[int]:
    """The municipalities the actor sees: all of them, or those of some départements."""
    if not everyone and not departements:
        return []
    stmt = select(Organisation.id).where(Organisation.kind == CONTROLLER)
    if not everyone:
        stmt = stmt.where(Organisation.departement.in_(departements))
    stmt = scope(stmt, Organisation.id, actor).order_by(Organisation.name, Organisation.id)
    return list(db.session.scalars(stmt))


def with_typed(values, *, actor: Actor, text_field="organisation", id_field="organisation_id"):
    """`values` (a form or a query string) with the municipality typed in `text_field` given as
    `id_field`, for the schema that checks ids; a ValidationFailed on `text_field` when the text
    designates none or several. Values without the typed field are returned as they are."""
    text = values.get(text_field, "").strip()
    if not text:
        return values
    match = resolve(text, actor=actor, field=text_field)
    typed = values.copy()
    typed[id_field] = str(match.id)
    return typed


def typed_text(values, *, actor: Actor, text_field="organisation", id_field="organisation_id"):
    """What a municipality field shows: what was typed, else the chosen one's "Name (SIREN)"."""
    text = values.get(text_field, "")
    if text:
        return text
    chosen = str(values.get(id_field) or "")
    return label_of(id_value(chosen), actor=actor)


def on_typed_field(errors: dict, values, text_field="organisation", id_field="organisation_id"):
    """`errors` with those about `id_field` moved to `text_field` when the municipality was
    typed there (the form shows no id field to point at)."""
    if text_field in values and id_field in errors:
        errors = dict(errors)
        errors[text_field] = errors.pop(id_field)
    return errors
