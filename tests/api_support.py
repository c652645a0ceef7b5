"""Reading the API's RFC 9457 problem answers in tests."""

import re


def problem_fields(body: dict) -> dict[str, list[str]]:
    """{"field": [messages…]} of a validation problem's `errors` list."""
    fields: dict[str, list[str]] = {}
    for error in body.get("errors", []):
        fields.setdefault(error["field"], []).append(error["message"])
    return fields


def assert_documented(client, method: str, path: str, response, **path_parameters) -> None:
    """Fail unless `response` is an answer the OpenAPI document describes for `METHOD path`
    (status, content type, headers, body against the output schema): the answers the fuzzing
    cannot reach, such as a whole workflow's, checked against the same contract."""
    import schemathesis
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").json)
    # the answer is what is checked: a path parameter not given only fills the template
    names = re.findall(r"{(\w+)}", path)
    path_parameters = {name: path_parameters.get(name, 1) for name in names}
    case = schema[path][method.upper()].Case(path_parameters=path_parameters)
    case.validate_response(
        response,
        checks=[
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
