"""The one exception of the audit rules."""


class AuditRuleError(ValueError):
    """A refused action or input: a stable ``code``, the ``field`` concerned, a French message."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message
