"""Reading the API's RFC 9457 problem answers in tests."""


def problem_fields(body: dict) -> dict[str, list[str]]:
    """{"field": [messages…]} of a validation problem's `errors` list."""
    fields: dict[str, list[str]] = {}
    for error in body.get("errors", []):
        fields.setdefault(error["field"], []).append(error["message"])
    return fields


def assert_documented(client, method: str, path: str, answer) -> None:
    """The answer is one the OpenAPI document gives for `method path` (a template such as
    /api/v1/requests/{request_id}): a documented status and media type, a JSON body valid
    against its schema (formats checked: a date-time must be RFC 3339)."""
    from jsonschema import Draft202012Validator, FormatChecker

    spec = client.get("/api/v1/openapi.json").json
    responses = spec["paths"][path][method.lower()]["responses"]
    assert str(answer.status_code) in responses, (answer.status_code, list(responses))
    documented = responses[str(answer.status_code)]
    if "$ref" in documented:
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    content = documented.get("content", {})
    media = {m.split(";")[0].strip(): body for m, body in content.items()}
    assert answer.mimetype in media, (answer.mimetype, list(media))
    if answer.is_json:
        schema = {**media[answer.mimetype]["schema"], "components": spec["components"]}
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(answer.json)
