"""Register import through its services: the round trip of every spreadsheet format, every
error at once by row and column with nothing written, the confirmation's guards."""

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from rgpd_app.errors import NotFound
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.register import exporting, services
from rgpd_app.register.entries import activity_to_row
from rgpd_app.register.files import services as imports
from rgpd_app.register.files import uploads
from rgpd_app.register.files.row_parsing import IGNORED
from rgpd_app.register.models import ProcessingActivity, RegisterTask, Subprocessor

LABELS = exporting.LABELS


@pytest.fixture
def towns(make_org):
    return make_org("Ville de Saint-Avold", departement="57"), make_org("Ville de Brest")


@pytest.fixture
def keeper(make_user):
    return make_user("processor_dpo")


@pytest.fixture
def actor(keeper, clock):
    return actor_for(keeper, clock())


@pytest.fixture
def hoster(app, clock):
    sub = Subprocessor(legal_name="Hébergeur Souverain SAS", country="FR", created_at=clock())
    db.session.add(sub)
    db.session.commit()
    return sub


def rich_entries(controller_id, subprocessor_id):
    return [
        {
            "controller_id": controller_id,
            "name": "=HYPERLINK(\"http://x\")",
            "description": "-- liste des usagers\nsur deux lignes",
            "purposes": [{"label": "Facturer les repas"}, {"label": "Inscrire les enfants"}],
            "legal_bases": ["public_task", "legal_obligation"],
            "data_subjects": ["Familles", "Enfants"],
            "data_categories": [
                {"label": "Coordonnées", "purpose": "Facturer les repas",
                 "retention_value": 18, "retention_unit": "months"},
                {"label": "Régime alimentaire", "purpose": "Inscrire les enfants",
                 "retention_criterion": "Jusqu'à la fin de l'année scolaire",
                 "is_special": True},
                {"label": "Condamnations", "purpose": "", "retention_value": 5,
                 "retention_unit": "years", "is_special": True, "is_criminal": True},
            ],
            "recipients": ["Trésorerie", "+Prestataire de restauration"],
            "estimated_persons": 1200,
            "operations": ["hosting", "data_integration"],
            "operations_detail": "Import annuel",
            "subprocessor_ids": [subprocessor_id],
            "measures": [{"family": "backup", "description": "Quotidienne : 30 jours"},
                         {"family": "encryption", "description": ""}],
            "security_notes": "@note",
            "transfers": [
                {"country": "MA", "recipient": "Centre d'appel", "safeguard": "sccs",
                 "consent_by": "Le maire", "consent_on": date(2026, 1, 15),
                 "consent_reference": "Délibération 2026-03"},
                {"country": "US", "recipient": "Éditeur", "safeguard": "art49",
                 "safeguard_documentation": "Dérogation documentée"},
            ],
        },
        {"controller_id": controller_id, "name": "Accueil périscolaire"},
    ]  # fmt: skip


def comparable(activity) -> dict:
    return {k: v for k, v in activity_to_row(activity).items() if k not in IGNORED}


def register_of(controller_id):
    return db.session.scalars(
        select(ProcessingActivity)
        .where(ProcessingActivity.controller_id == controller_id)
        .order_by(ProcessingActivity.name)
    ).all()


def exported(client, login_as, keeper, controller_id, fmt) -> bytes:
    login_as(keeper)
    response = client.get(
        f"/register/export?format={fmt}&register=controller&controller_id={controller_id}"
    )
    assert response.status_code == 200
    data = b"".join(response.response) if response.direct_passthrough else response.get_data()
    response.close()
    return data


def run_import(data: bytes, filename: str, controller_id, *, actor, now):
    checked = imports.upload_file(
        io.BytesIO(data), filename, controller_id=controller_id, actor=actor, now=now
    )
    assert checked.issues == [], checked.issues
    return imports.confirm_import(checked.upload_id, actor=actor, now=now)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_an_export_reimports_to_the_same_register(
    client, login_as, keeper, actor, towns, make_org, hoster, clock, fmt
):
    for data in rich_entries(towns[0].id, hoster.id):
        services.create_activity(data, actor=actor, now=clock())
    empty = make_org("Commune vide")
    made = run_import(
        exported(client, login_as, keeper, towns[0].id, fmt), f"registre.{fmt}", empty.id,
        actor=actor, now=clock(),
    )  # fmt: skip
    assert len(made) == 2
    db.session.expire_all()
    source, copy = register_of(towns[0].id), register_of(empty.id)
    assert [comparable(a) for a in copy] == [comparable(a) for a in source]
    assert copy[0].name == '=HYPERLINK("http://x")'  # the protective quote is taken off
    assert {a.status for a in copy} == {"draft"}
    # The flagged categories raise the reinforced-security task, as a form would.
    assert db.session.scalar(
        select(func.count()).select_from(RegisterTask).where(
            RegisterTask.controller_id == empty.id
        )
    ) == 1  # fmt: skip
    journal = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "register.imported")
    ).one()
    assert json.loads(journal.details)["rows"] == 2 and journal.organisation_id == empty.id


HEADER = ["name", "purposes", "legal_bases", "data_categories", "data_category_purposes",
          "data_category_retentions", "data_category_sensitive", "estimated_persons",
          "transfer_countries", "transfer_recipients", "transfer_safeguards",
          "transfer_consents", "subprocessors", "security_measures"]  # fmt: skip


def csv_file(rows, header=HEADER, sep=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow([LABELS.get(h, h) for h in header])
    writer.writerows([row.get(h, "") for h in header] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


GOOD = {"name": "Cantine", "purposes": "Facturer", "legal_bases": "Mission d'intérêt public",
        "data_categories": "Coordonnées", "data_category_purposes": "Facturer",
        "data_category_retentions": "5 ans", "data_category_sensitive": "Non"}  # fmt: skip


def test_every_error_is_reported_by_row_and_column_and_nothing_is_written(app, actor, towns, clock):
    rows = [
        GOOD,
        GOOD | {"name": "Périscolaire", "legal_bases": "Bon vouloir"},
        GOOD | {"name": "Santé scolaire", "data_categories": "Données de santé | Nom",
                "data_category_purposes": "Facturer"},
        GOOD | {"name": "", "data_category_sensitive": "Peut-être",
                "estimated_persons": "beaucoup"},
        GOOD | {"name": "Cantine"},
        GOOD | {"name": "Transferts", "transfer_countries": "Atlantide | Maroc",
                "transfer_recipients": "A | B", "transfer_safeguards": "Confiance | Clauses "
                "contractuelles types (art. 46)", "transfer_consents": "En attente | le maire"},
        GOOD | {"name": "Autres", "subprocessors": "Inconnu SA",
                "security_measures": "Magie : totale", "data_category_purposes": "Autre"},
    ]  # fmt: skip
    checked = imports.upload_file(
        io.BytesIO(csv_file(rows)), "registre.csv", controller_id=towns[0].id, actor=actor,
        now=clock(),
    )  # fmt: skip
    found = {(i.row, i.column) for i in checked.issues}
    assert found == {
        (3, "legal_bases"),
        (4, "data_categories"),  # prohibited category (health)
        (4, "data_category_purposes"),  # two categories, one value in each parallel column
        (4, "data_category_retentions"),
        (4, "data_category_sensitive"),
        (5, "name"),
        (5, "data_category_sensitive"),
        (5, "estimated_persons"),
        (6, "name"),  # same name as row 2
        (7, "transfer_countries"),
        (7, "transfer_safeguards"),
        (7, "transfer_consents"),
        (8, "subprocessors"),
        (8, "security_measures"),
        (8, "data_category_purposes"),
    }
    messages = {(i.row, i.column): i.message for i in checked.issues}
    assert "Bon vouloir" in messages[(3, "legal_bases")]
    assert "santé" in messages[(4, "data_categories")].lower()
    assert messages[(6, "name")] == "Même nom qu'à la ligne 2."
    assert checked.upload_id is None
    assert db.session.scalar(select(func.count()).select_from(ProcessingActivity)) == 0
    assert list((uploads._root()).iterdir()) == []
    journal = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "register.import_checked")
    ).one()
    assert json.loads(journal.details)["errors"] == len(checked.issues)


def test_header_errors_are_reported_on_row_one(app, actor, towns, clock):
    data = csv_file([{"name": "x"}], header=["Nom du machin", "purposes", "purposes"])
    checked = imports.upload_file(
        io.BytesIO(data), "r.csv", controller_id=towns[0].id, actor=actor, now=clock()
    )
    assert [(i.row, i.column, i.message) for i in checked.issues] == [
        (1, "", "Colonne inconnue : « Nom du machin »."),
        (1, "name", "Colonne obligatoire absente."),
        (1, "purposes", "Colonne en double."),
    ]


def test_a_comma_csv_without_bom_and_a_windows_1252_one_are_read(app, actor, towns, clock):
    text = csv_file([GOOD], sep=",").decode("utf-8").lstrip("\ufeff")
    made = run_import(text.encode(), "a.csv", towns[0].id, actor=actor, now=clock())
    assert made[0].data_categories[0].retention_value == 5
    checked = imports.upload_file(
        io.BytesIO(csv_file([GOOD | {"name": "Crèche"}]).decode("utf-8-sig").encode("cp1252")),
        "b.csv", controller_id=towns[0].id, actor=actor, now=clock(),
    )  # fmt: skip
    assert checked.issues == [] and checked.rows[0][1]["name"] == "Crèche"
    assert "Windows-1252" in checked.notices[0]


def test_a_file_mixing_municipalities_is_refused(app, actor, towns, clock):
    header = ["controller_siren", *HEADER]
    rows = [GOOD | {"controller_siren": "111"}, GOOD | {"name": "Crèche", "controller_siren": "2"}]
    checked = imports.upload_file(
        io.BytesIO(csv_file(rows, header)), "r.csv", controller_id=towns[0].id, actor=actor,
        now=clock(),
    )  # fmt: skip
    assert [(i.row, i.column) for i in checked.issues] == [(1, "controller_siren")]


def test_the_controller_dpo_imports_its_side_only(app, make_user, towns, clock):
    dpo = actor_for(make_user("controller_dpo", towns[0]), clock())
    row = GOOD | {"security_measures": "Sauvegarde des données : quotidienne"}
    checked = imports.upload_file(
        io.BytesIO(csv_file([row])), "r.csv", controller_id="", actor=dpo, now=clock()
    )
    assert checked.issues == [] and "volet sous-traitant" in checked.notices[0]
    [made] = imports.confirm_import(checked.upload_id, actor=dpo, now=clock())
    assert made.controller_id == towns[0].id and made.measures == []
    with pytest.raises(NotFound):
        imports.upload_file(io.BytesIO(csv_file([GOOD])), "r.csv", controller_id=towns[1].id,
                            actor=dpo, now=clock())  # fmt: skip


def test_a_confirmation_is_the_uploaders_once_and_within_a_day(app, actor, make_user, towns, clock):
    checked = imports.upload_file(
        io.BytesIO(csv_file([GOOD])), "r.csv", controller_id=towns[0].id, actor=actor, now=clock()
    )
    other = actor_for(make_user("processor_dpo"), clock())
    with pytest.raises(NotFound):
        imports.confirm_import(checked.upload_id, actor=other, now=clock())
    with pytest.raises(NotFound):
        imports.confirm_import("../../etc/passwd", actor=actor, now=clock())
    clock.advance(hours=25)
    with pytest.raises(NotFound):
        imports.confirm_import(checked.upload_id, actor=actor, now=clock())
    clock.advance(hours=-25)
    checked = imports.upload_file(
        io.BytesIO(csv_file([GOOD])), "r.csv", controller_id=towns[0].id, actor=actor, now=clock()
    )
    assert len(imports.confirm_import(checked.upload_id, actor=actor, now=clock())) == 1
    with pytest.raises(NotFound):
        imports.confirm_import(checked.upload_id, actor=actor, now=clock())


def test_the_confirmation_checks_again_and_writes_nothing_on_error(app, actor, towns, clock):
    checked = imports.upload_file(
        io.BytesIO(csv_file([GOOD, GOOD | {"name": "Crèche"}])), "r.csv",
        controller_id=towns[0].id, actor=actor, now=clock(),
    )  # fmt: skip
    services.create_activity(
        {"controller_id": towns[0].id, "name": "Crèche"}, actor=actor, now=clock()
    )
    with pytest.raises(imports.ImportRefused) as refused:
        imports.confirm_import(checked.upload_id, actor=actor, now=clock())
    assert [(i.row, i.column) for i in refused.value.checked.issues] == [(3, "name")]
    assert [a.name for a in register_of(towns[0].id)] == ["Crèche"]


def test_the_worker_purges_forgotten_uploads(app, actor, towns, clock):
    imports.upload_file(
        io.BytesIO(csv_file([GOOD])), "r.csv", controller_id=towns[0].id, actor=actor, now=clock()
    )
    assert uploads.purge(clock()) == 0
    clock.advance(hours=25)
    assert uploads.purge(clock()) == 1
    assert list(uploads._root().iterdir()) == []


def test_refused_roles_cannot_import(app, make_user, towns, clock):
    from rgpd_app.errors import Forbidden

    for role, org in (("instructor", towns[0]), ("support", None), ("admin", None)):
        who = actor_for(make_user(role, org), clock())
        with pytest.raises(Forbidden):
            imports.upload_file(io.BytesIO(b""), "r.csv", controller_id=towns[0].id, actor=who,
                                now=clock())  # fmt: skip


def test_consent_days_in_french_form_are_read(app, actor, towns, clock):
    row = GOOD | {"transfer_countries": "Maroc", "transfer_recipients": "Centre",
                  "transfer_safeguards": "sccs",
                  "transfer_consents": "Le maire ; 15/01/2026 ; D1"}  # fmt: skip
    [made] = run_import(csv_file([row]), "r.csv", towns[0].id, actor=actor, now=clock())
    assert made.transfers[0].country == "MA"
    assert made.transfers[0].consent_on == date(2026, 1, 15)
