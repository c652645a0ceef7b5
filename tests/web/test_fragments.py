"""Parts of pages kept rendered (rgpd_app.fragments): the menu, the breadcrumb and the register's
export menu are built once per key, so a kept one must never reach a reader it was not for."""

import re

from rgpd_app import fragments


def nav(page: str) -> str:
    return re.search(r'<nav class="main".*?</nav>', page, re.S).group(0)


def crumbs(page: str) -> str:
    found = re.search(r'<nav class="breadcrumb".*?</nav>', page, re.S)
    return found.group(0) if found else ""


def exports(page: str) -> str:
    return re.search(r'<details class="export-menu">.*?</details>', page, re.S).group(0)


def test_each_role_gets_its_own_menu_from_one_process(app, client, login_as, make_org):
    town = make_org(name="Lunéville")
    login_as("processor_dpo")
    dpo_menu = nav(client.get("/register/").get_data(as_text=True))
    login_as("instructor", town)
    instructor_menu = nav(client.get("/register/").get_data(as_text=True))
    assert '"/register/new"' in dpo_menu and '"/register/new"' not in instructor_menu
    assert '"/journal/"' in dpo_menu and '"/journal/"' not in instructor_menu
    assert '"/subprocessors/mine"' in instructor_menu
    login_as("processor_dpo")  # the first one's menu, kept, comes back unchanged
    assert nav(client.get("/register/").get_data(as_text=True)) == dpo_menu


def test_the_menu_marks_the_page_it_is_on(app, client, login_as):
    login_as("processor_dpo")
    on_register = nav(client.get("/register/").get_data(as_text=True))
    on_audits = nav(client.get("/audits/").get_data(as_text=True))
    assert re.search(r'href="/register/" aria-current="page"', on_register)
    assert not re.search(r'href="/register/" aria-current="page"', on_audits)
    assert re.search(r'href="/audits/" aria-current="page"', on_audits)


def test_a_kept_menu_follows_the_language(app, client, login_as):
    login_as("processor_dpo")
    french = client.get("/register/").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    english = client.get("/register/").get_data(as_text=True)
    assert "Traitements</a>" not in nav(english)
    assert "Registre des traitements" not in crumbs(english)
    assert "Traitements</a>" in nav(french) and "Fil d'Ariane" in crumbs(french)
    assert "Breadcrumb" in crumbs(english) and ">Export<" in exports(english)
    assert ">Exporter<" in exports(french)


def test_the_breadcrumb_names_each_page_it_is_kept_for(app, client, login_as, make_org):
    login_as("processor_dpo")
    first = make_org(name="Baccarat")
    second = make_org(name="Raon-l'Étape")
    one = crumbs(client.get(f"/organisations/{first.id}").get_data(as_text=True))
    other = crumbs(client.get(f"/organisations/{second.id}").get_data(as_text=True))
    assert "Baccarat" in one and "Baccarat" not in other
    assert "Raon-l&#39;Étape" in other


def test_the_export_menu_follows_the_filters(app, client, login_as, make_org):
    town = make_org(name="Toul")
    login_as("processor_dpo")
    unfiltered = exports(client.get("/register/").get_data(as_text=True))
    filtered = exports(client.get("/register/?controller=Toul&status=draft").get_data(as_text=True))
    assert "choisissez d'abord une collectivité" in unfiltered
    assert f"controller_id={town.id}" in filtered and "status=draft" in filtered
    assert "status=draft" not in unfiltered
    assert exports(client.get("/register/").get_data(as_text=True)) == unfiltered


def test_a_municipality_reader_never_gets_the_processor_staffs_export_menu(
    app, client, login_as, make_org
):
    town = make_org(name="Pont-à-Mousson")
    login_as("processor_dpo")
    staff = exports(client.get("/register/").get_data(as_text=True))
    login_as("controller_dpo", town)
    own = exports(client.get("/register/").get_data(as_text=True))
    assert "choisissez d'abord" in staff and "choisissez d'abord" not in own
    assert "register=controller" in own


def test_past_the_bound_the_least_recently_used_go(app, client, login_as, monkeypatch):
    monkeypatch.setattr(fragments, "FRAGMENTS_KEPT", 3)
    login_as("processor_dpo")
    for path in ("/register/", "/audits/", "/breaches/", "/requests/", "/journal/"):
        assert client.get(path).status_code == 200
        assert len(app.extensions["rgpd_fragments"]) <= 3
    kept = list(app.extensions["rgpd_fragments"])
    assert all(key[0] in ("_nav.html", "_breadcrumb.html") for key in kept)
    assert not any("register.index" in key for key in kept)  # the oldest went first


def test_the_kept_filters_show_what_each_reader_typed(app, client, login_as):
    login_as("processor_dpo")
    for text in ("cantine", "paie", "cantine"):
        page = client.get(f"/register/?q={text}&special=1").get_data(as_text=True)
        assert f'name="q" value="{text}"' in page
        assert 'name="special" value="1" checked' in page
    page = client.get("/register/?q=cantine").get_data(as_text=True)
    assert 'name="special" value="1" >' in page  # the same text, the box left unticked
