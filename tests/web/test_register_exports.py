"""Register exports through the pages and the API: every format, neutralised cells, the journal
row with its count, a municipality's own rows only, refused roles, the PDF cap."""

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.register import services
from rgpd_app.register.models import ProcessingActivity
from tests.api_support import problem_fields

FORMULA = '=HYPERLINK("http://evil.example","clic")'


@pytest.fixture
def towns(make_org):
    return make_org("Ville de Saint-Avold", departement="57"), make_org("Ville de Brest")


@pytest.fixture
def keeper(make_user):
    return make_user("processor_dpo")


def entry_data(controller_id, name, **extra):
    return {
        "controller_id": controller_id,
        "name": name,
        "purposes": [{"label": "Facturer les repas"}],
        "legal_bases": ["public_task"],
        "data_subjects": ["Familles", "-Enfants"],
        "data_categories": [
            {"label": "Coordonnées des parents", "purpose": "Facturer les repas",
             "retention_value": 5, "retention_unit": "years"},
            {"label": "Casier judiciaire des agents", "purpose": "Facturer les repas",
             "retention_criterion": "Durée du contrat", "is_criminal": True},
        ],
        "recipients": ["@Trésorerie"],
        "estimated_persons": 800,
        "operations": ["hosting", "support"],
        "measures": [{"family": "backup", "description": "Sauvegarde quotidienne"}],
        "transfers": [{"country": "MA", "recipient": "Centre d'appel", "safeguard": "sccs"}],
    } | extra  # fmt: skip


@pytest.fixture
def entries(keeper, towns, clock):
    actor = actor_for(keeper, clock())
    made = [
        services.create_activity(entry_data(towns[0].id, FORMULA), actor=actor, now=clock()),
        services.create_activity(
            entry_data(towns[0].id, "Accueil périscolaire", transfers=[]), actor=actor, now=clock()
        ),
        services.create_activity(
            entry_data(towns[1].id, "État civil", description="+33 1 23"), actor=actor, now=clock()
        ),
    ]
    return made


def exports_journal():
    return db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "register.exported")
    ).all()


def body(response) -> bytes:
    data = b"".join(response.response) if response.direct_passthrough else response.get_data()
    response.close()  # what the WSGI server does: closes the spooled XLSX/ODS file
    return data


def read_csv(response):
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_of_the_processor_register_neutralises_and_is_journaled(
    client, login_as, keeper, entries
):
    login_as(keeper)
    response = client.get("/register/export?format=csv&register=processor")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = read_csv(response)
    assert [r["Collectivité (responsable de traitement)"] for r in rows] == [
        "Ville de Brest", "Ville de Saint-Avold", "Ville de Saint-Avold"
    ]  # fmt: skip
    by_name = {r["Activité de traitement"]: r for r in rows}
    assert "'" + FORMULA in by_name
    assert by_name["'" + FORMULA]["Destinataires"] == "'@Trésorerie"
    assert by_name["État civil"]["Description"] == "'+33 1 23"
    assert by_name["Accueil périscolaire"]["Catégories de personnes concernées"] == (
        "Familles | -Enfants"
    )
    [journal] = exports_journal()
    details = json.loads(journal.details)
    assert details == {"format": "csv", "rows": 3, "register": "processor", "filters": {}}


def test_xlsx_export_keeps_formula_looking_texts_as_strings(client, login_as, keeper, entries):
    login_as(keeper)
    response = client.get("/register/export?format=xlsx&register=processor")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows())
    names = {row[3].value: row for row in rows[1:]}
    cell = names["'" + FORMULA][3]
    assert cell.data_type == "s"
    assert all(c.data_type != "f" for row in rows for c in row)
    assert json.loads(exports_journal()[0].details)["rows"] == 3


def test_ods_export_writes_string_cells_and_no_formula(client, login_as, keeper, entries):
    login_as(keeper)
    response = client.get("/register/export?format=ods&register=processor")
    assert response.status_code == 200
    content = zipfile.ZipFile(io.BytesIO(body(response))).read("content.xml").decode()
    assert "table:formula" not in content
    assert "&apos;=HYPERLINK" in content or "'=HYPERLINK" in content
    assert json.loads(exports_journal()[0].details) == {
        "format": "ods", "rows": 3, "register": "processor", "filters": {}
    }  # fmt: skip


def test_json_export_of_a_filtered_list(client, login_as, keeper, entries, towns):
    login_as(keeper)
    response = client.get(f"/register/export?format=json&controller_id={towns[0].id}&q=accueil")
    assert response.status_code == 200
    items = json.loads(response.get_data())
    assert [i["name"] for i in items] == ["Accueil périscolaire"]
    assert items[0]["data_category_sensitive"] == "Non | Art. 10"
    details = json.loads(exports_journal()[0].details)
    assert details["rows"] == 1 and details["register"] == "list"
    assert details["filters"] == {"q": "accueil", "controller_id": towns[0].id}


@pytest.mark.parametrize("register", ["processor", "controller", "list"])
def test_pdf_exports_render_each_register(client, login_as, keeper, entries, towns, register):
    login_as(keeper)
    response = client.get(
        f"/register/export?format=pdf&register={register}&controller_id={towns[0].id}"
    )
    assert response.status_code == 200
    assert response.get_data().startswith(b"%PDF")
    details = json.loads(exports_journal()[0].details)
    assert details["format"] == "pdf"
    assert details["rows"] == (3 if register == "processor" else 2)


def test_a_pdf_past_the_cap_is_refused_with_a_message(app, client, login_as, keeper, entries):
    app.config["EXPORT_PDF_MAX_ROWS"] = 2
    login_as(keeper)
    response = client.get("/register/export?format=pdf&register=processor")
    assert response.status_code == 302
    assert "Liste trop longue pour un PDF" in client.get(response.location).get_data(as_text=True)
    assert exports_journal() == []


def test_a_municipality_exports_only_its_own_rows(client, login_as, entries, towns):
    login_as("controller_dpo", towns[1])
    rows = read_csv(client.get("/register/export?format=csv&register=processor"))
    assert [r["Activité de traitement"] for r in rows] == ["État civil"]
    rows = read_csv(client.get("/register/export?format=csv&register=controller"))
    assert [r["Activité de traitement"] for r in rows] == ["État civil"]
    rows = read_csv(client.get(f"/register/export?format=csv&controller_id={towns[0].id}"))
    assert rows == []


def test_a_foreign_controller_register_is_404(client, login_as, entries, towns):
    login_as("controller_dpo", towns[1])
    url = f"/register/export?format=csv&register=controller&controller_id={towns[0].id}"
    assert client.get(url).status_code == 404
    assert exports_journal() == []


def test_an_auditor_exports_its_controller_only(client, login_as, entries, towns, clock):
    today = clock().date()
    login_as(
        "auditor", towns[0], controller_id=towns[0].id, valid_from_on=today, valid_until_on=today
    )
    rows = read_csv(client.get("/register/export?format=csv&register=processor"))
    assert {r["SIREN de la collectivité"] for r in rows} == {towns[0].siren}


@pytest.mark.parametrize("role", ["admin"])
def test_refused_roles_get_403(client, login_as, entries, role):
    login_as(role)
    assert client.get("/register/export?format=csv").status_code == 403


def test_archived_entries_are_left_out_of_the_registers(client, login_as, keeper, entries, clock):
    services.change_status(entries[1].id, "archived", actor=actor_for(keeper, clock()), now=clock())
    login_as(keeper)
    rows = read_csv(client.get("/register/export?format=csv&register=processor"))
    assert len(rows) == 2
    rows = read_csv(client.get("/register/export?format=csv&status=archived"))
    assert [r["Activité de traitement"] for r in rows] == ["Accueil périscolaire"]


def test_the_list_page_offers_the_export_menu(client, login_as, keeper, entries, towns):
    login_as(keeper)
    body = client.get(f"/register/?controller_id={towns[0].id}&special=1").get_data(as_text=True)
    assert "/register/export?format=xlsx" in body and "register=processor" in body
    assert "register=controller" in body and "special=True" in body


def test_api_export_streams_json_and_is_journaled(api, keeper, entries, towns):
    response = api(keeper).get(f"/api/v1/processings/export?controller_id={towns[1].id}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert [i["name"] for i in json.loads(response.get_data())] == ["État civil"]
    assert json.loads(exports_journal()[0].details)["rows"] == 1


def test_api_export_refusals(api, make_user, entries, towns):
    admin = make_user("admin")
    assert api(admin).get("/api/v1/processings/export?format=csv").status_code == 403
    dpo = make_user("controller_dpo", towns[1])
    url = f"/api/v1/processings/export?format=csv&register=controller&controller_id={towns[0].id}"
    assert api(dpo).get(url).status_code == 404
    response = api(dpo).get("/api/v1/processings/export?format=doc")
    assert response.status_code == 400 and "format" in problem_fields(response.get_json())
    response = api(dpo).get("/api/v1/processings/export?format=csv&register=autre")
    assert response.status_code == 400


def test_export_queries_stay_few_whatever_the_row_count(app, keeper, towns, clock):
    from sqlalchemy import event

    from rgpd_app.register import exporting
    from rgpd_app.register.listing import Filters

    actor = actor_for(keeper, clock())
    for n in range(12):
        services.create_activity(entry_data(towns[n % 2].id, f"Traitement {n}"), actor=actor,
                                 now=clock())  # fmt: skip
    user_id = keeper.id
    db.session.expunge_all()
    from rgpd_app.accounts.models import User

    actor = actor_for(db.session.get(User, user_id), clock())
    assert actor.is_processor_staff
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        stmt = exporting.prepare("processor", Filters(), actor=actor).statement
        assert len(list(exporting.rows(stmt))) == 12
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 7  # the entries, then one query per child list


def test_flat_rows_read_what_the_orm_row_says(app, keeper, towns, clock):
    from rgpd_app.register import exporting
    from rgpd_app.register.entries import activity_to_row
    from rgpd_app.register.listing import Filters
    from rgpd_app.register.models import Subprocessor

    actor = actor_for(keeper, clock())
    subs = [Subprocessor(legal_name=n, country="FR", created_at=clock()) for n in ("Zeta", "Alpha")]
    db.session.add_all(subs)
    db.session.commit()
    consent = {"consent_by": "Le maire", "consent_on": clock().date(), "consent_reference": "D1"}
    made = [
        services.create_activity(
            entry_data(towns[n % 2].id, f"Traitement {n}", subprocessor_ids=[s.id for s in subs],
                       transfers=[{"country": "MA", "recipient": "Centre", "safeguard": "sccs"},
                                  {"country": "US", "recipient": "Éditeur", "safeguard": "sccs"}
                                  | consent]),
            actor=actor, now=clock(),
        )
        for n in range(5)
    ]  # fmt: skip
    stmt = exporting.prepare("processor", Filters(), actor=actor).statement
    flat = list(exporting.rows(stmt))
    db.session.expire_all()
    by_id = {a.id: activity_to_row(db.session.get(ProcessingActivity, a.id)) for a in made}
    assert flat == [by_id[row["id"]] for row in flat] and len(flat) == 5
    assert flat[0]["subprocessors"] == "Alpha | Zeta"
