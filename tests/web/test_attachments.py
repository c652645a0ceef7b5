"""Uploaded files come back as downloads no browser renders, whatever their uploader declared."""

import base64
import io
import string
from urllib.parse import quote

import pytest
from sqlalchemy import select

from rgpd_app.audits.models import NDA
from rgpd_app.extensions import db
from rgpd_app.files import Upload
from rgpd_app.instructions.models import InstructionAttachment

HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
UPLOADS = [("page.html", HTML, "text/html"), ("dessin « maire ».svg", SVG, "image/svg+xml")]


def assert_plain_download(response, content: bytes, name: str) -> None:
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert "\r" not in disposition and "\n" not in disposition
    response.close()


def stored_attachments(instruction_id: int) -> list[InstructionAttachment]:
    found = select(InstructionAttachment).where(
        InstructionAttachment.instruction_id == instruction_id
    )
    return list(db.session.scalars(found.order_by(InstructionAttachment.id)))


def test_asvs_v5_4_1_attachments_served_as_octet_stream(client, login_as, staff, given):
    login_as(staff.instructor)
    answer = client.post(
        f"/instructions/{given.id}/attachments",
        data={"attachments": [(io.BytesIO(body), name, kind) for name, body, kind in UPLOADS]},
        content_type="multipart/form-data",
    )
    assert answer.status_code in (302, 303)
    added = stored_attachments(given.id)[-2:]
    assert [a.content_type for a in added] == ["text/html", "image/svg+xml"]  # metadata only
    login_as(staff.processor_dpo)
    for attachment, (name, body, _kind) in zip(added, UPLOADS, strict=True):
        download = client.get(f"/instructions/{given.id}/attachments/{attachment.id}")
        assert_plain_download(download, body, name)


def test_asvs_v3_2_1_api_attachments_are_never_rendered(api, staff, given):
    instructor, pdpo = api(staff.instructor), api(staff.processor_dpo)
    files = [
        {"filename": name, "content_base64": base64.b64encode(body).decode(), "content_type": kind}
        for name, body, kind in UPLOADS
    ]
    made = instructor.post(f"/api/v1/instructions/{given.id}/attachments", json={"files": files})
    assert made.status_code == 201, made.json
    for attachment_id, (name, body, _kind) in zip(made.json["attachments"], UPLOADS, strict=True):
        download = pdpo.get(f"/api/v1/instructions/{given.id}/attachments/{attachment_id}")
        assert_plain_download(download, body, name)


@pytest.mark.parametrize(("name", "body", "kind"), UPLOADS)
def test_asvs_v5_4_1_audit_documents_served_as_octet_stream(
    client, api, login_as, people, requested, clock, name, body, kind
):
    from rgpd_app.audits import storage  # as the audit forms store an upload (files.save)

    upload = Upload(name, body, kind)
    document = storage.store(requested, upload, kind=NDA, actor=None, now=clock())
    db.session.commit()
    login_as(people.controller_dpo)
    page = client.get(f"/audits/{requested.id}/documents/{document.id}")
    assert_plain_download(page, body, name)
    by_api = api(people.controller_dpo).get(
        f"/api/v1/audits/{requested.id}/documents/{document.id}"
    )
    assert_plain_download(by_api, body, name)


def test_asvs_v5_4_2_served_file_names_cannot_inject_header_fields(api, staff, given):
    name = 'a"b;\r\nSet-Cookie: x=1; é.html'
    upload = {"filename": name, "content_base64": base64.b64encode(HTML).decode()}
    made = api(staff.instructor).post(
        f"/api/v1/instructions/{given.id}/attachments",
        json={"files": [upload | {"content_type": "text/html"}]},
    )
    assert made.status_code == 201, made.json
    url = f"/api/v1/instructions/{given.id}/attachments/{made.json['attachments'][0]}"
    download = api(staff.processor_dpo).get(url)
    assert download.status_code == 200 and "Set-Cookie" not in download.headers
    disposition = download.headers["Content-Disposition"]
    ascii_name = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert ascii_name == "a_b_Set-Cookie_ x_1_ e.html"
    assert set(ascii_name) <= set(string.ascii_letters + string.digits + "._- ()")
    download.close()
