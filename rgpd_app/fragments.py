"""Parts of pages kept rendered: what is the same for everyone it is shown to is not built again
for every page."""

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from flask import current_app, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

FRAGMENTS_KEPT = 512  # each a few kB
_LOCK = Lock()  # a threaded server's requests share the kept fragments


def fragment(key: tuple | None, template: str, context: Callable[[], dict] = dict) -> Markup:
    """`template` rendered with what `context()` gives, kept for the next pages with the same
    `key` (`context` is called only when the fragment is not kept). For a
    part of a page that is the same for everyone it is shown to (no user data, no token), so
    that `key` holds all it depends on: the caller's inputs, plus here the language and where
    the app is mounted. The least recently used go past FRAGMENTS_KEPT. `key` None: rendered
    and not kept (a page answered afresh, an error shown with its input)."""
    if key is None:
        return _render(template, context())
    kept = current_app.extensions.setdefault("rgpd_fragments", OrderedDict())
    full = (template, str(get_locale()), request.script_root, *key)
    with _LOCK:
        html = kept.get(full)
        if html is not None:
            kept.move_to_end(full)
            return html
    html = _render(template, context())
    with _LOCK:
        kept[full] = html
        if len(kept) > FRAGMENTS_KEPT:
            kept.popitem(last=False)
    return html


def _render(template: str, context: dict) -> Markup:
    # Jinja escaped every value the template shows: the result is HTML as any page's.
    return Markup(render_template(template, **context))  # noqa: S704  # nosec B704 # autoescaped
