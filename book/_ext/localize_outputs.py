"""Each edition of the book shows the outputs of the one execution in its own language.

A Chinese page reuses its English page's execution (one jupyter-cache record: README,
"The Chinese edition"), so what ``ttt`` draws and writes there carries both languages
(``ttt.labels``): explorer frames and headings as pairs of elements marked with ``lang``,
figures with a Chinese copy beside the PNG. For that this extension sets
``ttt.labels.EVERY_LANGUAGE`` in the build's environment, which the kernels the build starts
inherit; both editions set it alike, so their executions stay one.

Then, as each page's outputs come out of the execution (or the cache), before they are
rendered, it keeps this edition's language (the config value ``language``):

- HTML outputs and the widgets' state (the explorers' frames): one element of each pair,
  unwrapped (``ttt.labels.keep``): a page carries only its own language's text and images;
- figures: the Chinese edition shows the Chinese copy in the PNG's place; a figure whose
  words the table lacks, or one drawn without a copy (an execution made without this
  extension), is a warning naming the page and the words (an error in the strict build);
- the widgets' plain labels (slider names, tooltips, slider positions) are translated by
  the table (``ttt.labels.translate``), as the explorers promise (``ttt.labels.require``).

myst-nb 1.4 has no hook between fetching a notebook's outputs and rendering them: this
wraps ``myst_nb.sphinx_.create_client`` (as book/_ext/notebook_setup.py wraps its reader),
the notebook executed and cached first, untouched, so both editions start from one record.

Enable it in _config.yml: ``sphinx: local_extensions: {localize_outputs: book/_ext}``.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from ttt import labels

__version__ = "1.0.0"

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# A widget's plain-text labels, which hold no HTML: translated as a whole.
PLAIN_LABELS = ("description", "tooltip", "_options_labels", "placeholder")
_LANGUAGE = {"language": labels.ENGLISH}  # this build's, set when the configuration is read


def configure(app: Sphinx, config: Config) -> None:
    language = (config.language or "en").replace("_", "-")
    if language not in labels.LANGUAGES:
        from sphinx.errors import ConfigError

        raise ConfigError(f"localize_outputs: ttt speaks {', '.join(labels.LANGUAGES)}, "
                          f"not {language!r}")
    _LANGUAGE["language"] = language
    # Before any kernel starts: they inherit the build's environment.
    os.environ[labels.EVERY_LANGUAGE] = "1"
    _wrap_myst_nb_client()


def localize(notebook: Any, language: str, warn) -> None:
    """Keep ``language`` in the notebook's outputs and widget state, in place; ``warn``
    (a message) for what cannot be shown in it."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if "data" in output:
                _localize_data(output, language, warn)
    state = ((notebook.get("metadata", {}).get("widgets") or {}).get(WIDGET_STATE) or {})
    for model in (state.get("state") or {}).values():
        _localize_widget(model.get("state") or {}, language, warn)


def _localize_data(output: Any, language: str, warn) -> None:
    data = output["data"]
    chinese = data.pop(labels.CHINESE_FIGURE, None)
    if "text/html" in data:
        data["text/html"] = labels.keep(_joined(data["text/html"]), language)
    if language != labels.CHINESE or "image/png" not in data:
        return
    figure = (output.get("metadata") or {}).get(labels.FIGURE_METADATA)
    if figure is None:
        warn("a figure was drawn without its Chinese copy: its execution was made without "
             f"{labels.EVERY_LANGUAGE} (outside `make book`?), or before `ttt.plotting` was "
             "imported; run `make book` again after clearing the page's cached execution")
    elif figure.get("untranslated"):
        warn(f"a figure's words have no Chinese: {', '.join(figure['untranslated'])} (add them "
             "to the table in book/ttt/labels.py)")
    if chinese is not None:
        data["image/png"] = chinese


def _localize_widget(state: dict, language: str, warn) -> None:
    for key, value in state.items():
        if isinstance(value, str) and labels.MARK in value:
            state[key] = labels.keep(value, language)
        elif language == labels.CHINESE and key in PLAIN_LABELS:
            texts = value if isinstance(value, list) else [value]
            translated = [labels.translate(text) if isinstance(text, str) else text
                          for text in texts]
            left = [word for text in translated if isinstance(text, str)
                    for word in labels.untranslated(text)]
            if left:
                warn(f"a widget's {key} has no Chinese: {', '.join(left)} (add it to the "
                     "table in book/ttt/labels.py)")
            state[key] = translated if isinstance(value, list) else translated[0]


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def _wrap_myst_nb_client() -> None:
    from myst_nb import sphinx_ as mystnb_sphinx

    original = mystnb_sphinx.create_client
    if getattr(original, "ttt_localize", False):
        return

    def create_client(notebook, path, nb_config, logger, *args, **kwargs):
        client = original(notebook, path, nb_config, logger, *args, **kwargs)
        start = client.start_client

        def start_then_localize():
            start()  # executes (and caches) the notebook, or merges the cached outputs
            localize(client.notebook, _LANGUAGE["language"],
                     lambda message: logger.warning(message, subtype="ttt_language"))

        client.start_client = start_then_localize
        return client

    create_client.ttt_localize = True
    mystnb_sphinx.create_client = create_client


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", configure)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
