"""The set-up cell every notebook of the book starts with: its one copy.

A page of the book or an exercise opened outside a clone of this repository (on Colab,
Binder, a JupyterHub, or downloaded into a fresh Jupyter) has no ``ttt`` to import. Its
first code cell therefore checks for ``ttt`` at the book's version: when it is there the
cell does nothing; when it is missing the cell installs it with pip, into the kernel's own
environment (what ``%pip`` does), from the one source ``_config.yml`` names
(``launch_buttons.ttt_source``), and says so in one line; when that cannot be done it says
why and what to do in one or two sentences and stops the notebook there.

Nobody copies the cell by hand. The book's build inserts it before each page's first code
cell (``book/_ext/notebook_setup.py``), the release step before each released exercise's
(``autograder/release.py``), and tests fail where a page or an exercise lacks it or
carries a stale copy.

The cell is the same in both editions of the book (their executions are one), so what it
says it says in English and in Chinese, a line each, from the table in :mod:`ttt.labels`.

This module is build tooling (no notebook imports it) and uses the standard library only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ttt import __version__, labels

TAG = "ttt-setup"  # the cell's tag (the HTML folds the cell: book/_ext/notebook_setup.py)
CELL_ID = "ttt-setup"
FIRST_LINE = "# Set-up: the book's helper package `ttt`, installed where it is missing"
# The wheel the book's build publishes beside the HTML (book/_ext/launch.py), fetched
# from the branch the site is published to.
DEFAULT_SOURCE = "{repository}/raw/{branch}/_wheels/{wheel}"
DEFAULT_BRANCH = "gh-pages"
DISTRIBUTION = "ttt-book"  # the learners' distribution (packaging/ttt/pyproject.toml)
MAX_LINE = 79


def wheel_name(version: str = __version__) -> str:
    """The file name of the learners' wheel (``make dist``) at ``version``."""
    return f"{DISTRIBUTION.replace('-', '_')}-{version}-py3-none-any.whl"


def install_source(template: str, *, repository: str, branch: str,
                   version: str = __version__) -> str:
    """What the cell hands to pip: ``template`` with ``{repository}`` (its URL),
    ``{branch}`` (where the site is published), ``{version}`` and ``{wheel}`` filled in."""
    try:
        return template.format(repository=repository.rstrip("/"), branch=branch,
                               version=version, wheel=wheel_name(version))
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(f"launch_buttons.ttt_source {template!r}: only {{repository}}, "
                         f"{{branch}}, {{version}} and {{wheel}} can be filled in "
                         f"({error})") from None


def launch_settings(book_config: dict[str, Any]) -> dict[str, str]:
    """The launch settings of a parsed ``_config.yml``: the repository's URL, the branch
    the site (notebooks, wheel, Binder files) is published to, and the install source."""
    repository = str((book_config.get("repository") or {}).get("url") or "").rstrip("/")
    launch = book_config.get("launch_buttons") or {}
    branch = str(launch.get("notebooks_branch") or DEFAULT_BRANCH)
    template = str(launch.get("ttt_source") or DEFAULT_SOURCE)
    return {"repository": repository, "branch": branch,
            "source": install_source(template, repository=repository, branch=branch)}


def _string_literal(text: str, indent: str, width: int) -> list[str]:
    """``text`` as adjacent string literals, one per line, each line at most ``width``
    characters, broken after a ``/`` where one fits."""
    room = width - len(indent) - 2
    lines = []
    while text:
        cut = len(text) if len(json.dumps(text)) - 2 <= room else max(
            text.rfind("/", 0, room) + 1, text.rfind("-", 0, room) + 1, room // 2)
        chunk = text[:cut]
        while len(json.dumps(chunk)) - 2 > room:  # escapes take room too
            chunk = chunk[:-1]
        lines.append(f"{indent}{json.dumps(chunk)}")
        text = text[len(chunk):]
    return lines or [f'{indent}""']


def _message_literal(template: str, indent: str, width: int = MAX_LINE) -> list[str]:
    """The table's ``template`` in English and in Chinese, a line each, as adjacent
    f-string literals (its fields are names in the cell's code), each line at most
    ``width`` characters, broken at a space where one fits and never inside a field.

    The Chinese is written as ``\\u`` escapes: the cell's code is on every page of both
    editions, and each edition's search index must stay in its own language."""
    said = labels.say(template, **{name: "{" + name + "}" for name in labels.fields(template)})
    return (_fstring_lines(said.en + "\n", indent, width)
            + _fstring_lines(said.zh, indent, width))


def _fstring_lines(text: str, indent: str, width: int) -> list[str]:
    room = width - len(indent) - 3  # f""
    lines, start = [], 0
    while start < len(text):
        depth, cut, space = 0, start, None
        for end in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if len(json.dumps(text[start:end + 1])) - 2 > room:
                break
            if depth == 0:
                cut = end + 1
                space = end + 1 if text[end] == " " else space
        else:
            cut = space = len(text)
        end = space or cut
        if end <= start:  # a {field} wider than a line: it cannot be cut
            raise ValueError(f"message does not fit in {width} columns at {text[start:]!r}")
        lines.append(f"{indent}f{json.dumps(text[start:end])}")
        start = end
    return lines



# What the cell says (keys of the table in ttt.labels; fields: names in the cell's code).
MESSAGES = {
    "OTHER_VERSION": "ttt set-up: this notebook needs ttt {version}, but {location} is ttt "
                     "{found}. Run `%pip install {source}`, restart the kernel and run all "
                     "cells again (or update the copy of the book it comes from).",
    "OFFLINE": "ttt set-up: ttt {version} is missing, and {source} could not be reached. "
               "Connect this notebook to the internet, then run this cell again.",
    "NOT_THERE": "ttt set-up: ttt {version} is missing, and {source} is not there. Download "
                 "this notebook again from the book, or ask whoever gave it to you for ttt "
                 "{version}.",
    "PIP_FAILED": "ttt set-up: ttt {version} is missing, and pip could not install it from "
                  "{source} ({last}). Ask whoever runs this Jupyter to install it.",
    "NOT_SEEN": "ttt set-up: pip installed {source}, but this kernel still sees another ttt "
                "({location}). Restart the kernel and run all cells again.",
    "INSTALLED": "ttt {version} was missing: installed it from {source}.",
}


def _body() -> str:
    """The cell's code after its header, each ``@NAME@`` line replaced by the message."""
    lines = []
    for line in _BODY.strip("\n").splitlines():
        marker = re.fullmatch(r"(\s*)@(\w+)@(.*)", line)
        if marker:
            indent, name, tail = marker.groups()
            message = _message_literal(MESSAGES[name], indent, MAX_LINE - len(tail))
            lines += message[:-1] + [message[-1] + tail]
        else:
            lines.append(line)
    return "\n".join(lines)


_BODY = '''
    import importlib, site, subprocess, sys

    class SetupError(Exception):  # shown as its lines alone, no traceback
        def _render_traceback_(self):
            return str(self).splitlines()

    try:
        import ttt
    except ImportError:
        ttt = None
    found = getattr(ttt, "__version__", "of another version")
    if ttt is not None and found == version:
        return
    if ttt is not None:
        location = ttt.__file__
        raise SetupError(
            @OTHER_VERSION@)
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--retries", "1",
         "--timeout", "30", "--disable-pip-version-check", source],
        capture_output=True, text=True)
    said = pip.stderr + pip.stdout
    offline = ("NewConnectionError", "Failed to establish", "resolution",
               "Name or service", "nreachable", "No route", "timed out",
               "ProxyError", "Max retries")
    if pip.returncode and any(sign in said for sign in offline):
        raise SetupError(
            @OFFLINE@)
    if pip.returncode and any(sign in said for sign in (
            "404", "Not Found", "does not exist", "No such file",
            "No matching distribution")):
        raise SetupError(
            @NOT_THERE@)
    if pip.returncode:
        last = (said.strip().splitlines() or ["no message"])[-1]
        raise SetupError(
            @PIP_FAILED@)
    importlib.invalidate_caches()
    if site.ENABLE_USER_SITE:  # pip installs for this user where it must
        site.addsitedir(site.getusersitepackages())
    import ttt

    if getattr(ttt, "__version__", None) != version:
        location = ttt.__file__
        raise SetupError(
            @NOT_SEEN@)
    print(
        @INSTALLED@)


_ttt_setup()
'''


def cell_source(source: str, version: str = __version__) -> str:
    """The text of the set-up cell that installs ``ttt`` ``version`` from ``source``."""
    header = [
        FIRST_LINE,
        "# (Colab, Binder, a fresh Jupyter). Every notebook of the book starts so.",
        f"def _ttt_setup(version={json.dumps(version)}, source=(",
        *_string_literal(source, " " * 8, MAX_LINE),
        "        )):",
    ]
    return "\n".join(header) + "\n" + _body()


def cell_metadata() -> dict[str, Any]:
    """Folded in the HTML (``hide-input``) and in JupyterLab (``source_hidden``)."""
    return {"tags": [TAG, "hide-input"], "jupyter": {"source_hidden": True}}


def is_setup_cell(cell: Any) -> bool:
    """Is this notebook cell (a dict or NotebookNode) a copy of the set-up cell, of any
    version or source?"""
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    tags = (cell.get("metadata") or {}).get("tags") or ()
    return cell.get("cell_type") == "code" and (
        source.lstrip().startswith(FIRST_LINE) or TAG in tags)


def insertion_index(cells: list) -> int | None:
    """Where the set-up cell goes: before the first code cell (None: no code at all)."""
    return next((k for k, cell in enumerate(cells) if cell.get("cell_type") == "code"), None)


def new_cell(source: str, version: str = __version__, *, with_id: bool = True) -> dict:
    """The set-up cell as notebook JSON (nbformat 4)."""
    cell = {"cell_type": "code", "execution_count": None, "metadata": cell_metadata(),
            "outputs": [], "source": cell_source(source, version)}
    if with_id:
        cell["id"] = CELL_ID
    return cell


class StaleCopyError(ValueError):
    """A notebook already holds a set-up cell: the build or the release adds the one copy."""


def insert(notebook: Any, source: str, version: str = __version__) -> int | None:
    """Insert the set-up cell into ``notebook`` (nbformat JSON or NotebookNode) in place,
    before its first code cell; return where, or None for a notebook without code.

    A notebook that already carries a copy (written by hand, or from an older release) is
    refused with :class:`StaleCopyError`: the copy could be stale, and two would run twice.
    """
    cells = notebook["cells"]
    copies = [k for k, cell in enumerate(cells) if is_setup_cell(cell)]
    if copies:
        raise StaleCopyError(
            f"cell {copies[0] + 1} is a copy of the set-up cell: delete it (the build and "
            "the release step insert the current one)")
    where = insertion_index(cells)
    if where is None:
        return None
    with_id = (notebook.get("nbformat"), notebook.get("nbformat_minor", 0)) >= (4, 5)
    cell = new_cell(source, version, with_id=with_id)
    try:  # keep a NotebookNode a NotebookNode (attribute access) all the way down
        from nbformat import from_dict

        cell = from_dict(cell)
    except ImportError:
        pass
    cells.insert(where, cell)
    return where
