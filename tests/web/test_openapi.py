"""The OpenAPI document is generated from the views' @operation marks and their schemas: every
/api/v1 route is described, the document is valid OpenAPI 3.1, and /api/v1/docs serves Swagger UI
from our own origin."""

import re

from openapi_spec_validator import validate

from rgpd_app.openapi_build import undocumented


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield path, method.lower()


def test_every_api_route_is_described(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    missing = [f"{m.upper()} {p}" for p, m in _routes(app) if (p, m) not in described]
    assert missing == []


def test_no_route_is_left_without_its_mark(app):
    assert undocumented(app) == []  # every /api/v1 route carries @operation


def test_the_served_document_is_valid_openapi(client):
    validate(client.get("/api/v1/openapi.json").json)


def test_errors_are_problem_details_documented_once(client):
    spec = client.get("/api/v1/openapi.json").json
    assert set(spec["components"]["schemas"]["Problem"]["required"]) >= {
        "type", "title", "status", "detail"
    }  # fmt: skip
    answer = client.get("/api/v1/subprocessors")
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 401 and answer.json["code"] == "unauthorized"
    operation = spec["paths"]["/api/v1/subprocessors"]["get"]
    assert operation["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}


def test_generated_operations_carry_their_schemas(client):
    spec = client.get("/api/v1/openapi.json").json
    create = spec["paths"]["/api/v1/subprocessors"]["post"]
    body = create["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/SubprocessorInput"}
    assert body["example"]["country"] == "FR"
    assert set(spec["components"]["schemas"]["SubprocessorInput"]["required"]) == {
        "legal_name", "address", "contact", "country"
    }  # fmt: skip
    answer = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/Subprocessor"}
    detail = spec["paths"]["/api/v1/subprocessors/{sub_id}"]["get"]
    (sub_id,) = detail["parameters"]
    assert sub_id["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def test_the_docs_are_served_from_our_origin_within_the_csp(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in html and "https://" not in html  # no inline script, no CDN
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/v1/docs/../../config.py").status_code == 404
    assert client.get("/api/v1/docs/index.html").status_code == 404
