"""An edition's own words for the theme's buttons, bars and tooltips.

Sphinx, the PyData theme and the book theme translate their interface with gettext
catalogues, but not all of it: for Simplified Chinese some strings stay English (the
colour switch, "Link to this heading"), some are written into the templates in English
(the sidebar toggles' tooltips, the navigation's aria-label), and the book theme's zh_CN
catalogue uses Taiwanese wording (列印成 PDF for 打印). One catalogue per language,
``locale/<language>.po`` beside this file (read with babel, which Sphinx depends on, at
every build: nothing compiled is kept), fixes them all:

- its messages win over every gettext catalogue the build has registered (Sphinx's, the
  themes', the extensions'), in Python and in the templates;
- an attribute a rendered page writes (``title``, ``aria-label``, ``data-bs-title``,
  ``alt``) whose whole value is one of its msgids gets its msgstr: the strings no
  catalogue reaches; and once the page has loaded, a small script does the same to the
  elements the themes' scripts made (sphinx-togglebutton's buttons).

An edition without a catalogue (English) is left as it is.

Enable it in _config.yml: ``sphinx: local_extensions: {ui_strings: book/_ext}``.
"""

from __future__ import annotations

import gettext
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx import locale

__version__ = "1.0.0"

LOCALE = Path(__file__).parent / "locale"
ATTRIBUTES = ("title", "aria-label", "data-bs-title", "alt")
ATTRIBUTE = re.compile(r'\b(' + "|".join(ATTRIBUTES) + r')="([^"<>]*)"')
# After the page's own scripts (priority 500) have made their buttons.
SCRIPT = """window.addEventListener("load", () => {
  const messages = %s;
  for (const name of %s) {
    for (const element of document.querySelectorAll(`[${name}]`)) {
      const message = messages[element.getAttribute(name)];
      if (message) element.setAttribute(name, message);
    }
  }
});"""


def catalogue(language: str | None) -> dict[str, str]:
    """The messages of ``locale/<language>.po`` (none when there is no such file)."""
    path = LOCALE / f"{language}.po"
    if not language or not path.is_file():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as po:
        messages = read_po(po, locale=language)
    return {message.id: message.string for message in messages
            if message.id and message.string and not message.fuzzy}


class Overrides(gettext.NullTranslations):
    """Our messages first, then the catalogue they override."""

    def __init__(self, messages: dict[str, str], fallback: gettext.NullTranslations):
        super().__init__()
        self.messages = messages
        self.add_fallback(fallback)

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or super().gettext(message)


def translate_attributes(page: str, messages: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        value = messages.get(html.unescape(match[2]))
        return match[0] if value is None else f'{match[1]}="{html.escape(value)}"'

    return ATTRIBUTE.sub(replace, page)


def install(app: Sphinx) -> None:
    messages = catalogue(app.config.language)
    if not messages or app.builder.format != "html":
        return
    for key, translator in list(locale.translators.items()):
        if not isinstance(translator, Overrides):
            locale.translators[key] = Overrides(messages, translator)
    # The templates were given Sphinx's catalogue when the builder started: give them ours.
    app.translator = locale.translators[("general", "sphinx")]
    templates = app.builder.templates
    templates.environment.install_gettext_translations(app.translator)
    render = templates.render

    def render_translated(template: str, context: dict) -> str:
        return translate_attributes(render(template, context), messages)

    templates.render = render_translated
    app.add_js_file(None, body=SCRIPT % (json.dumps(messages, ensure_ascii=False),
                                         json.dumps(ATTRIBUTES)), priority=900)


def remember(app: Sphinx, config) -> None:
    """A config value that changes with the catalogue and the script: Sphinx then writes
    every page again (an unchanged build rewrites only the pages that changed)."""
    path = LOCALE / f"{config.language}.po"
    text = (path.read_text(encoding="utf-8") if path.is_file() else "") + SCRIPT
    config.ttt_ui_strings = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("ttt_ui_strings", "", "html", types=[str])
    app.connect("config-inited", remember)
    app.connect("builder-inited", install)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
