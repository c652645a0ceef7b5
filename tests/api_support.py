"""Reading the API's RFC 9457 problem answers in tests."""


def problem_fields(body: dict) -> dict[str, list[str]]:
    """{"field": [messages…]} of a validation problem's `errors` list."""
    fields: dict[str, list[str]] = {}
    for error in body.get("errors", []):
        fields.setdefault(error["field"], []).append(error["message"])
    return fields
