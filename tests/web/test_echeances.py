""" "Mes échéances": the provider registry, visibility, and the iCalendar secret feed."""

from datetime import UTC, date, datetime

import icalendar
import pytest
from sqlalchemy import select

from rgpd_app.clocks import services
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry


@pytest.fixture
def test_provider():
    """Register a test-only provider returning whatever the test puts in `items`."""
    items: list = []

    @services.provider("test-only")
    def _provide(actor, now):
        return list(items)

    yield items
    services.unregister_provider("test-only")


def echeance(uid, due_at, *, deadline=None, title=None):
    return services.Echeance(
        uid=uid,
        kind="test",
        title=title or f"Échéance {uid}",
        organisation_name="Commune test",
        due_at=due_at,
        deadline=deadline if deadline is not None else due_at,
        steps=(f"Explication de {uid}.",),
        url="/deadlines/",
    )


def rows(body: str) -> list[str]:
    return [part.split("</tr>", 1)[0] for part in body.split('<tr class="echeance')[1:]]


def test_empty_state(client, login_as):
    login_as("support")
    body = client.get("/echeances/").get_data(as_text=True)
    assert 'id="no-echeance"' in body
    assert "Aucune échéance en cours" in body


def test_most_urgent_first_with_time_left_and_explanation(client, login_as, clock, test_provider):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    test_provider.extend(
        [
            echeance("later", datetime(2026, 3, 12, 23, 0, tzinfo=UTC), deadline=date(2026, 3, 12)),
            echeance("soon", datetime(2026, 3, 2, 14, 30, tzinfo=UTC)),
            echeance("late", datetime(2026, 2, 27, 9, 0, tzinfo=UTC)),
        ]
    )
    login_as("support")
    body = client.get("/echeances/").get_data(as_text=True)
    found = rows(body)
    assert [r.split("Échéance ", 1)[1].split("<", 1)[0] for r in found] == ["late", "soon", "later"]
    assert "échue depuis 3 jours" in found[0]
    assert "reste 5 heures" in found[1]
    assert "reste 10 jours et 14 heures" in found[2]
    assert "jeudi 12 mars 2026, jusqu&#39;à 24:00" in found[2]
    assert "lundi 2 mars 2026 à 15:30 (heure de Paris, UTC+01:00)" in found[1]
    assert "Explication de soon." in found[1]


@pytest.fixture
def towns(make_org):
    # Clock at 2026-03-02: Metz ends within 12 months, Brest is overdue, Nantes is too far away.
    return {
        "metz": make_org("Metz", departement="57", contract_end_on=date(2026, 12, 31)),
        "brest": make_org("Brest", departement="29", contract_end_on=date(2026, 1, 31)),
        "nantes": make_org("Nantes", departement="44", contract_end_on=date(2027, 6, 30)),
        "lyon": make_org("Lyon", departement="69"),
    }


def test_processor_dpo_sees_contract_ends_within_12_months_or_overdue(client, login_as, towns):
    login_as("processor_dpo")
    found = rows(client.get("/echeances/").get_data(as_text=True))
    assert ["Brest" in found[0], "Metz" in found[1]] == [True, True]
    assert len(found) == 2
    assert "Fin du contrat de maintenance" in found[0]


def test_a_municipality_dpo_sees_only_its_own_contract_end(client, login_as, towns):
    login_as("controller_dpo", towns["metz"])
    body = client.get("/echeances/").get_data(as_text=True)
    assert "Metz" in body and "Brest" not in body


@pytest.mark.parametrize("role", ["instructor", "support", "security_officer"])
def test_other_roles_do_not_see_contract_ends(client, login_as, towns, role):
    login_as(role, towns["metz"] if role == "instructor" else None)
    assert 'id="no-echeance"' in client.get("/echeances/").get_data(as_text=True)


def test_the_api_lists_the_same_echeances(api, make_user, towns):
    out = api(make_user("admin")).get("/api/v1/echeances").get_json()
    assert [item["organisation_name"] for item in out["items"]] == ["Brest", "Metz"]
    assert out["items"][1]["deadline"] == "2026-12-31"
    assert out["items"][1]["due_at"] == "2027-01-01T00:00:00+01:00"


# --- iCalendar feed --------------------------------------------------------------------------


def _create_feed(client) -> str:
    body = client.post("/echeances/ical").get_data(as_text=True)
    url = body.split('<code id="feed-url">', 1)[1].split("</code>", 1)[0]
    return url.replace("http://localhost", "")


def _actions(user) -> list[str]:
    return list(
        db.session.scalars(
            select(JournalEntry.action)
            .where(JournalEntry.user_id == user.id, JournalEntry.action.startswith("ical."))
            .order_by(JournalEntry.id)
        )
    )


def test_feed_is_valid_icalendar_with_all_day_and_timed_events(
    app, client, login_as, towns, test_provider
):
    test_provider.append(echeance("breach-1", datetime(2026, 3, 3, 10, 0, tzinfo=UTC)))
    user = login_as("processor_dpo")
    path = _create_feed(client)
    assert path.startswith("/echeances/ical/") and path.endswith(".ics")
    db.session.refresh(user)
    assert len(user.ical_token_hash) == 64 and user.ical_token_hash not in path

    with app.test_client() as anonymous:  # the feed needs no session
        response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    brest = events[f"contract-end-{towns['brest'].id}-2026-01-31@rgpd-app"]
    assert brest.decoded("dtstart") == date(2026, 1, 31)
    assert brest.decoded("dtend") == date(2026, 2, 1)
    assert "Brest" in str(brest["summary"])
    timed = events["breach-1@rgpd-app"]
    assert timed.decoded("dtstart") == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    assert len(events) == 3

    again = icalendar.Calendar.from_ical(client.get(path).data)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == set(events)
    assert _actions(user) == ["ical.created", "ical.fetched", "ical.fetched"]


def test_wrong_token_is_404_and_journals_nothing(client, login_as):
    user = login_as("support")
    _create_feed(client)
    assert client.get("/echeances/ical/not-the-token.ics").status_code == 404
    assert _actions(user) == ["ical.created"]


def test_regenerating_invalidates_the_old_url(client, login_as):
    user = login_as("support")
    old = _create_feed(client)
    assert client.get(old).status_code == 200
    page = client.get("/echeances/").get_data(as_text=True)
    assert "Régénérer le lien" in page and 'id="feed-url"' not in page
    new = _create_feed(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert _actions(user) == ["ical.created", "ical.fetched", "ical.regenerated", "ical.fetched"]


def test_deleting_the_link_makes_it_404(client, login_as):
    user = login_as("support")
    path = _create_feed(client)
    client.post("/echeances/ical/revoke")
    assert client.get(path).status_code == 404
    db.session.refresh(user)
    assert user.ical_token_hash is None


def test_a_disabled_account_feed_is_404(client, login_as):
    user = login_as("support")
    path = _create_feed(client)
    user.is_enabled = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_creating_a_feed_needs_a_login(client):
    assert client.post("/echeances/ical").status_code in (302, 401)
