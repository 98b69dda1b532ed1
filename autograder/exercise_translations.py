"""The exercises in other languages: one reviewed translation file per assignment and language.

``solutions/<name>/<language>.yml`` (``zh-CN.yml``) translates the learner-facing text of
``solutions/<name>/<name>.ipynb``, keyed by cell id:

- a **Markdown cell**: its whole text (``text``);
- a **test cell**: the messages of its visible checks (``strings``: pairs of a string literal
  as the English cell writes it, quotes and ``f`` included, and its translation). Every
  assert's message and every ``print`` argument written as a literal must be translated;
  any other literal of the cell may be. Code, comments and numbers stay as they are.

Each entry records ``en_hash``, the fingerprint of the English it translates (a test cell's:
its visible code, as learners get it): when the English changes, :func:`problems` reports
the entry as stale, naming the assignment and the cell. Nothing else in a notebook is
translated: answer, set-up and locked cells stay byte for byte the English ones.

:func:`variant` makes a released notebook's variant from the English release (the release
step calls it: ``exercises/<language>/<name>/<name>.ipynb``): Markdown cells replaced, test
cells' messages replaced, every other cell as it was; the test cells' nbgrader checksums
recomputed (nbgrader's checksum covers a graded cell's source), and ``metadata.ttt.language``
set, which the grader reads to answer in that language.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import yaml

from autograder.messages import CHINESE, language_metadata, text
from autograder.submission import (HIDDEN_TESTS, code_without_messages, is_answer,
                                   is_protected)

REPO_ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = (CHINESE,)  # the languages the exercises are released in besides English
# A part's heading in each language: "## Part 2: a TensorFlow step (4 points)" (English:
# autograder.assignments.HEADING), "## 第 2 部分：TensorFlow 训练步（4 分）".
HEADINGS = {CHINESE: re.compile(
    r"^## 第 (\d+) 部分：(.*?)(?:（(\d+(?:\.\d+)?) 分）)?[ \t]*$", re.M)}
HEADING_EXAMPLES = {CHINESE: "'## 第 {number} 部分：<标题>（{points:g} 分）'"}


class TranslationError(ValueError):
    """A translation file that cannot be used as it is: the message names file and cell."""


def fingerprint(text: str) -> str:
    """What ``en_hash`` records: the English text's SHA-256, first 12 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def path(name: str, language: str) -> Path:
    return REPO_ROOT / "solutions" / name / f"{language}.yml"


def _shown(file: Path) -> str:
    return file.relative_to(REPO_ROOT).as_posix()


@dataclass(frozen=True)
class Entry:
    en_hash: str
    text: str | None = None  # a Markdown cell's translation
    strings: tuple[tuple[str, str], ...] = ()  # a test cell's (English literal, translation)


@cache
def entries(name: str, language: str) -> dict[str, Entry]:
    """The translation file of ``name`` in ``language``, read and checked for its form."""
    file = path(name, language)
    if not file.is_file():
        return {}
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:  # where it broke, in one line
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise TranslationError(f"{_shown(file)}:{where} is not valid YAML: "
                               f"{getattr(error, 'problem', None) or error}") from None
    if not isinstance(data, dict):
        raise TranslationError(f"{_shown(file)}: expected cell ids, each with en_hash and "
                               "text (Markdown) or strings (a test cell)")
    found = {}
    for cell_id, raw in data.items():
        where = f"{_shown(file)}: cell {cell_id!r}"
        if not isinstance(raw, dict) or not isinstance(raw.get("en_hash"), str) or \
                ("text" in raw) == ("strings" in raw):
            raise TranslationError(f"{where}: expected en_hash and either text or strings")
        strings = raw.get("strings") or []
        if not isinstance(strings, list) or not all(
                isinstance(pair, dict) and set(pair) == {"en", language}
                and all(isinstance(value, str) for value in pair.values()) for pair in strings):
            raise TranslationError(f"{where}: strings is a list of pairs (en: the literal as "
                                   f"the cell writes it, {language}: its translation)")
        if "text" in raw and not isinstance(raw["text"], str):
            raise TranslationError(f"{where}: text must be the cell's translated Markdown")
        found[str(cell_id)] = Entry(raw["en_hash"], raw.get("text"),
                                    tuple((pair["en"], pair[language]) for pair in strings))
    return found


def visible(cell) -> str:
    """What a learner gets of a cell: a test cell without its hidden blocks (as nbgrader
    releases it, without trailing blank lines)."""
    return (HIDDEN_TESTS.sub("", cell.source) if is_test(cell) else cell.source).rstrip()


def is_test(cell) -> bool:
    return cell.cell_type == "code" and is_protected(cell) and not is_answer(cell) and \
        bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


def messages(code: str) -> list[str]:
    """The literals a test cell's visible checks show: each assert's message and each
    ``print`` argument written as a string literal, as the cell writes them."""
    found = []
    for node in ast.walk(ast.parse(code)):
        shown = []
        if isinstance(node, ast.Assert) and node.msg is not None:
            shown = [node.msg]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "print":
            shown = node.args
        for value in shown:
            if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant)
                                                   and isinstance(value.value, str)):
                segment = ast.get_source_segment(code, value)
                if segment not in found:
                    found.append(segment)
    return found


def _translated_code(code: str, strings, where: str) -> str:
    """The test cell's code with its messages translated: nothing else may change."""
    translated = code
    for english, other in strings:
        if english not in code:
            raise TranslationError(f"{where}: the literal {english} is not in the cell")
        translated = translated.replace(english, other)
    checks = code_without_messages(code)
    if checks is None or code_without_messages(translated) != checks:
        raise TranslationError(f"{where}: the translated checks must be the English ones "
                               "with other messages (only string literals may change)")
    return translated


def problems(name: str, language: str, source, points: dict[int, float]) -> list[str]:
    """Why the translation of ``name`` (its source notebook ``source``, its parts'
    ``{number: points}``) into ``language`` cannot be released as it is: one line per
    missing, stale or unusable entry, and per part without its translated heading."""
    file = path(name, language)
    if not file.is_file():
        return [f"{_shown(file)} not found: it translates {name}'s cells into {language}"]
    try:
        found = entries(name, language)
    except TranslationError as error:
        return [str(error)]
    lines, cell_ids = [], set()
    for cell in source.cells:
        cell_ids.add(cell.get("id"))
        english = visible(cell)
        where = f"{_shown(file)}: cell {cell.get('id')!r}"
        wanted = cell.cell_type == "markdown" or (is_test(cell) and messages(english))
        entry = found.get(cell.get("id"))
        if not wanted:
            if entry is not None:
                lines.append(f"{where} is translated, but only Markdown cells and test "
                             "cells' messages are: remove it")
            continue
        if entry is None:
            lines.append(f"{where}: no translation (its English has en_hash "
                         f"{fingerprint(english)})")
        elif entry.en_hash != fingerprint(english):
            lines.append(f"{where}: stale, its English changed since it was translated "
                         f"(en_hash {entry.en_hash}, now {fingerprint(english)}): update the "
                         "translation, then its en_hash")
        elif cell.cell_type == "markdown" and entry.text is None:
            lines.append(f"{where}: a Markdown cell is translated by its text")
        elif cell.cell_type == "code":
            missing = [m for m in messages(english) if m not in dict(entry.strings)]
            if entry.text is not None or missing:
                lines.append(f"{where}: untranslated messages: {', '.join(missing) or 'all'}")
            else:
                try:
                    _translated_code(english, entry.strings, where)
                except TranslationError as error:
                    lines.append(str(error))
    lines += [f"{_shown(file)}: cell {cell_id!r} is not a cell of "
              f"solutions/{name}/{name}.ipynb" for cell_id in found if cell_id not in cell_ids]
    headings = {int(match.group(1)): match.group(3) for entry in found.values()
                for match in HEADINGS[language].finditer(entry.text or "")}
    for number, worth in points.items():
        if number not in headings or headings[number] is None \
                or float(headings[number]) != float(worth):
            lines.append(f"{_shown(file)}: no heading of part {number} worth {worth:g} points, "
                         f"like {HEADING_EXAMPLES[language].format(number=number, points=worth)}")
    return lines


def variant(released, name: str, language: str):
    """The ``language`` variant of the released notebook of ``name`` (a copy). A cell whose
    translation is missing, stale or unusable (:func:`problems` says which) stays English:
    the variant never shows words that no longer say what the English says."""
    from nbgrader.utils import compute_checksum

    found = entries(name, language)
    notebook = copy.deepcopy(released)
    for cell in notebook.cells:
        entry = found.get(cell.get("id"))
        if entry is None or entry.en_hash != fingerprint(visible(cell)):
            continue
        if cell.cell_type == "markdown" and entry.text is not None:
            cell.source = entry.text.rstrip("\n")
        elif is_test(cell) and entry.strings:
            try:
                cell.source = _translated_code(cell.source, entry.strings, "")
            except TranslationError:
                continue
            cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    notebook.metadata.update(language_metadata(language))
    nbformat.validate(notebook)
    return notebook


def titles(name: str, language: str, numbers) -> dict[int, str]:
    """``{part number: "第 2 部分：TensorFlow 训练步"}`` from the translated headings (the
    parts whose heading is not translated are left out)."""
    found = {}
    for entry in entries(name, language).values():
        for match in HEADINGS[language].finditer(entry.text or ""):
            number = int(match.group(1))
            if number in numbers:
                found[number] = text("part.title", language, number=number,
                                     title=match.group(2).strip())
    return found
