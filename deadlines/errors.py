"""The one exception of the deadlines library."""


class DeadlineError(ValueError):
    """A refused input: a stable ``code``, the ``field`` concerned and a French message."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message
