"""The import wizard through the pages: upload → report (errors, or a preview) → confirm with
the stored upload's id; the template; refused roles (403) and a foreign municipality (404)."""

import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.register import exporting
from rgpd_app.register.models import ProcessingActivity

HEADER = ";".join(exporting.LABELS[k] for k in ("name", "purposes", "legal_bases"))


def csv_upload(*lines: str, name="registre.csv"):
    data = ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode()
    return (io.BytesIO(data), name)


@pytest.fixture
def towns(make_org):
    return make_org("Ville de Saint-Avold", departement="57"), make_org("Ville de Brest")


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessingActivity))


def test_the_wizard_checks_previews_then_confirms(client, login_as, towns):
    login_as("processor_dpo")
    page = client.get(f"/register/import?controller_id={towns[1].id}").get_data(as_text=True)
    assert f'value="Ville de Brest ({towns[1].siren})"' in page  # the municipality field, filled
    assert "/register/import/template?format=ods" in page
    response = client.post(
        "/register/import",
        data={"controller": "brest",
              "file": csv_upload("Cantine;Facturer;Mission d'intérêt public", "Crèche;Inscrire;")},
        content_type="multipart/form-data",
    )  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 traitement(s) à créer" in body
    upload_id = re.search(r'name="upload_id" value="([0-9a-f]{32})"', body).group(1)
    assert count() == 0
    response = client.post("/register/import/confirm", data={"upload_id": upload_id})
    assert response.status_code == 302
    assert f"controller_id={towns[1].id}" in response.location
    assert count() == 2
    assert client.post("/register/import/confirm", data={"upload_id": upload_id}).status_code == 404


def test_a_file_with_errors_gets_the_report_and_nothing_is_written(client, login_as, towns):
    login_as("processor_dpo")
    response = client.post(
        "/register/import",
        data={"controller_id": towns[0].id,
              "file": csv_upload("Cantine;Facturer;Bon vouloir", ";Inscrire;", "Santé;;")},
        content_type="multipart/form-data",
    )  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Import refusé : 2 erreur(s)" in body
    assert "Bon vouloir" in body and "Ce champ est obligatoire." in body
    assert 'name="upload_id"' not in body
    assert count() == 0


def test_upload_form_errors(client, login_as, towns):
    login_as("processor_dpo")
    response = client.post(
        "/register/import", data={"controller_id": ""}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and "Choisissez un fichier." in response.get_data(True)
    response = client.post(
        "/register/import",
        data={"controller_id": towns[0].id, "file": csv_upload(name="registre.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and ".csv, .xlsx ou .ods" in response.get_data(True)
    response = client.post(
        "/register/import",
        data={"controller_id": "", "file": csv_upload("Cantine;;")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "Choisissez une collectivité." in response.get_data(True)


def test_a_controller_dpo_imports_into_its_own_municipality_only(client, login_as, towns):
    login_as("controller_dpo", towns[0])
    assert 'name="controller_id"' not in client.get("/register/import").get_data(as_text=True)
    response = client.post(
        "/register/import",
        data={"controller_id": towns[1].id, "file": csv_upload("Cantine;;")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    response = client.post(
        "/register/import", data={"file": csv_upload("Cantine;;")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 200


def test_another_users_upload_cannot_be_confirmed(client, login_as, towns):
    login_as("processor_dpo")
    body = client.post(
        "/register/import",
        data={"controller_id": towns[0].id, "file": csv_upload("Cantine;;")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    upload_id = re.search(r'name="upload_id" value="([0-9a-f]{32})"', body).group(1)
    login_as("processor_dpo")
    assert client.post("/register/import/confirm", data={"upload_id": upload_id}).status_code == 404
    assert count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_template_has_the_export_columns(client, login_as, fmt):
    login_as("processor_dpo")
    response = client.get(f"/register/import/template?format={fmt}")
    assert response.status_code == 200
    data = b"".join(response.response) if response.direct_passthrough else response.get_data()
    response.close()
    if fmt == "xlsx":
        header = [c.value for c in next(load_workbook(io.BytesIO(data)).active.iter_rows())]
        assert header == [c.label for c in exporting.COLUMNS]
    elif fmt == "csv":
        assert data.decode("utf-8-sig").startswith("N°;SIREN de la collectivité;")


@pytest.mark.parametrize("role", ["instructor", "support", "admin", "security_officer"])
def test_refused_roles_get_403(client, login_as, towns, role):
    org = towns[0] if role == "instructor" else None
    login_as(role, org)
    assert client.get("/register/import").status_code == 403
    assert client.get("/register/import/template").status_code == 403
    response = client.post(
        "/register/import", data={"controller_id": towns[0].id, "file": csv_upload("Cantine;;")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 403
    assert client.post("/register/import/confirm", data={"upload_id": "0" * 32}).status_code == 403


def test_v5_2_1_a_municipality_dpo_uploading_a_whole_sheet_xlsx_gets_the_limit_named(
    client, login_as, towns, app, tmp_path
):
    """The 4.7 kB XLSX of the probe (A1:XFD1048576) is answered at once, in French, naming the
    bound; nothing is written and no upload is kept."""
    import zipfile
    from pathlib import Path

    from openpyxl import Workbook

    from rgpd_app.foundation.journal import JournalEntry

    book = Workbook()
    book.active.append([exporting.LABELS["name"]])
    book.active.append(["Cantine"])
    plain = io.BytesIO()
    book.save(plain)
    source, crafted = zipfile.ZipFile(plain), io.BytesIO()
    with zipfile.ZipFile(crafted, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            out.writestr(info.filename, data)
    crafted.seek(0)
    login_as("controller_dpo", towns[0])
    response = client.post(
        "/register/import",
        data={"controller_id": towns[0].id, "file": (crafted, "registre.xlsx")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Le fichier déclare 1\u202f048\u202f576 lignes" in body
    assert "au plus 10\u202f000 lignes sont acceptées" in body
    assert count() == 0
    assert not list((Path(app.config["STORAGE_ROOT"]) / "register_imports").glob("*"))
    checked = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "register.import_checked")
    ).one()
    assert (json.loads(checked.details)["errors"], json.loads(checked.details)["rows"]) == (1, 0)
