"""The menu is grouped by domain and shaped by the roles: a link is shown exactly when its
view lets the role in (the menu reads the views' own rules), the current page is marked, every
page has a breadcrumb and a <title> of its own."""

import re

import pytest

from rgpd_app.foundation import roles
from rgpd_app.navigation import SECTIONS, reachable_entries


def _menu(body: str) -> dict[str, list[str]]:
    start = body.index('<nav class="main"')
    nav = body[start : body.index("</nav>", start)]
    groups = {}
    for group in re.findall(r"<details>\s*<summary[^>]*>(.*?)</summary>(.*?)</details>", nav, re.S):
        groups[group[0]] = re.findall(r'<a href="([^"]+)"', group[1])
    return groups


def _title(body: str) -> str:
    return re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()


def _login(login_as, role, town, clock):
    if role in roles.PROCESSOR_ROLES:
        return login_as(role)
    if role == roles.AUDITOR:
        today = clock().date()
        return login_as(role, town, controller_id=town.id, valid_from_on=today,
                        valid_until_on=today)  # fmt: skip
    return login_as(role, town)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_each_role_sees_exactly_the_links_it_may_open(client, login_as, make_org, role, app, clock):
    town = make_org("Commune de Thionville")
    _login(login_as, role, town, clock)
    body = client.get("/dashboard").get_data(as_text=True)
    shown = {url for urls in _menu(body).values() for url in urls}
    with app.test_request_context():
        from flask import url_for

        every = {url_for(e.endpoint): e.endpoint for e in reachable_entries()}
    assert shown <= set(every)
    titles = {}
    for url in every:
        status = client.get(url).status_code
        if url in shown:
            page = client.get(url, follow_redirects=True)  # "mine": to the municipality's page
            assert page.status_code == 200, f"{role} is offered {url} but gets {status}"
            titles[url] = _title(page.get_data(as_text=True))
        else:
            assert status == 403, f"{role} may open {url} ({status}) but is not offered it"
    # a distinct <title> on every page of the menu
    duplicates = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not duplicates, f"pages sharing a title for {role}: {duplicates}"


def test_the_instructor_gets_fewer_groups_than_the_processor_dpo(client, login_as, make_org):
    town = make_org("Commune de Thionville")
    login_as("instructor", town)
    instructor = _menu(client.get("/dashboard").get_data(as_text=True))
    login_as("processor_dpo")
    dpo = _menu(client.get("/dashboard").get_data(as_text=True))
    assert list(dpo) == ["Tableau de bord", "Registre", "Sous-traitance", "Audits", "Violations",
                         "Demandes", "Fichiers", "Journal", "Administration"]  # fmt: skip
    assert "Journal" not in instructor and "Fichiers" in instructor  # its exports
    assert len(instructor["Registre"]) == 1  # the list only: it may not create nor import


def test_the_current_page_and_its_section_are_marked(client, login_as):
    login_as("processor_dpo")
    body = client.get("/register/").get_data(as_text=True)
    assert body.count('aria-current="page"') == 2  # the menu link and the breadcrumb's end
    assert re.search(r'<a href="/register/" aria-current="page">', body)
    assert re.search(r'<summary aria-current="true">Registre</summary>', body)
    assert body.count('aria-current="true"') == 1


def test_a_detail_page_has_the_breadcrumb_down_to_it(client, login_as, make_org, clock):
    from rgpd_app.extensions import db
    from rgpd_app.register.models import ProcessingActivity

    town = make_org("Commune de Thionville")
    activity = ProcessingActivity(controller_id=town.id, name="Cantine scolaire",
                                  created_at=clock(), updated_at=clock())  # fmt: skip
    db.session.add(activity)
    db.session.commit()
    login_as("processor_dpo")
    body = client.get(f"/register/{activity.id}").get_data(as_text=True)
    crumbs = body[body.index('<nav class="breadcrumb"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    labels = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<li>(.*?)</li>", crumbs)]
    assert labels[:3] == ["Accueil", "Registre", "Traitements"]
    assert "Cantine scolaire" in labels[-1]
    assert "Cantine scolaire" in _title(body)


def test_every_section_names_views_that_exist(app):
    for section in SECTIONS:
        for entry in section.entries:
            view = app.view_functions[entry.endpoint]
            assert hasattr(view, "required_roles"), f"{entry.endpoint} is not behind roles_required"


def test_no_menu_before_signing_in(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<nav class="main"' not in body and 'class="breadcrumb"' not in body
