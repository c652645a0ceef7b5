"""User-facing French messages that are translated where they are shown, not where they are made.

Services also run in the worker and the CLI, outside any request: they raise with
`N_("Le délai a expiré le %(day)s.", day=...)`, a `Message` that *is* the French sentence
(so `err.message` and the CLI keep working) and remembers its msgid and named params, so the
web and the API can show it in the reader's language (`rgpd_app.errors.translated`).
`N_` is a pybabel keyword (translations/update.sh). Pure: the lookup is a parameter.
"""

from collections.abc import Callable, Iterable

Lookup = Callable[[str], str]  # a French msgid → its text in the wanted language


class Message(str):
    """The French text of `msgid` formatted with `params`; `render(lookup)` in another language.
    Params are rendered too: a Message by its msgid, a string found in the catalogue (a label
    such as a state's name) translated, any other value (names, dates) left as it is."""

    def __new__(cls, msgid: str, **params):
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def render(self, lookup: Lookup) -> str:
        text = lookup(self.msgid)
        if not self.params:
            return text
        return text % {k: render(v, lookup) for k, v in self.params.items()}

    def format(self, *args, **kwargs) -> "Message":
        # marshmallow formats its messages ("Au moins {min} caractères.") with str.format:
        # keep the msgid so the formatted text can still be translated.
        return _Formatted(self, args, kwargs)

    def __reduce__(self):
        return (_message, (self.msgid, self.params))


class _Formatted(Message):
    def __new__(cls, base: Message, args: tuple, kwargs: dict):
        self = str.__new__(cls, str.format(base, *args, **kwargs))
        self.msgid, self.params = base.msgid, {}
        self.base, self.args, self.kwargs = base, args, kwargs
        return self

    def render(self, lookup: Lookup) -> str:
        kwargs = {
            k: v.render(lookup) if isinstance(v, Message) else v for k, v in self.kwargs.items()
        }
        return self.base.render(lookup).format(*self.args, **kwargs)

    def __reduce__(self):
        return (_Formatted, (self.base, self.args, self.kwargs))


class _Joined(Message):
    def __new__(cls, separator: str, texts: Iterable[str]):
        texts = list(texts)
        self = str.__new__(cls, separator.join(texts))
        self.msgid, self.params = str(self), {}
        self.separator, self.texts = separator, texts
        return self

    def render(self, lookup: Lookup) -> str:
        return self.separator.join(render(t, lookup) for t in self.texts)

    def __reduce__(self):
        return (_Joined, (self.separator, self.texts))


N_ = Message


def _message(msgid: str, params: dict) -> Message:
    return Message(msgid, **params)


def joined(separator: str, texts: Iterable[str]) -> Message:
    """Several messages as one ("; ".join), each rendered in the reader's language."""
    return _Joined(separator, texts)


def render(text, lookup: Lookup) -> str:
    """`text` in the language of `lookup`: a Message by its msgid, a plain string as a msgid
    when the catalogue has it (a label), else unchanged (user data)."""
    if isinstance(text, Message):
        return text.render(lookup)
    if isinstance(text, str):
        return lookup(text)
    return text
