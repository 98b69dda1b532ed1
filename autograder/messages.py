"""Every phrase the grader shows a learner, in English and Simplified Chinese: one catalogue.

``autograder/messages.yml`` holds each phrase once, as a template in both languages
(``{name}`` fields, the same in each): the statuses, the stage names, the named bugs with
their hints and fixes, the parts' other messages, the feedback page's labels. Code names a
phrase by its key and never spells it out; ``tests/autograder/test_messages.py`` checks that
every entry has both languages with the same fields, and that every key the code uses exists.

Two ways a phrase reaches its reader:

- **In the submission's language.** Judging a submission, naming its cells and rendering its
  feedback page happen inside :func:`speaking` (the language read from the learner's
  notebook by :func:`autograder.submission.prepare`); :func:`say` renders in that language.
  Outside it, English.
- **In the instructor's words, English.** A status (``grades.csv``, the gradebook, the class
  report) is written with :func:`english`. The learner's page shows it in the learner's
  language: :func:`translated_status` reads each of its phrases back against the catalogue's
  ``status.*`` templates and renders the same entry in the other language (a phrase no
  template matches, such as an operating system's error text, stays as it is).
"""

from __future__ import annotations

import contextlib
import re
import string
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Iterator

import yaml

ENGLISH, CHINESE = "en", "zh-CN"
LANGUAGES: tuple[str, ...] = (ENGLISH, CHINESE)
CATALOGUE = Path(__file__).with_name("messages.yml")
STATUS = "status."  # the keys of the instructor's phrases that a status is made of
# How a status's phrases are joined (autograder.batch, autograder.lateness: "; ").
STATUS_SEPARATOR = "; "
_SEPARATORS = {ENGLISH: STATUS_SEPARATOR, CHINESE: "；"}

_speaking: ContextVar[str] = ContextVar("language", default=ENGLISH)


class MessageError(KeyError):
    """A key the catalogue lacks, or a field its template does not fill: a grader bug."""

    def __str__(self) -> str:
        return str(self.args[0])


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """``{key: {language: template}}``, keys dotted: ``"status.graded"``."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    flat: dict[str, dict[str, str]] = {}
    _flatten(yaml.load(CATALOGUE.read_text(encoding="utf-8"), Loader=loader), "", flat)
    return flat


def _flatten(node, prefix: str, into: dict) -> None:
    if isinstance(node, dict) and ENGLISH in node:  # a phrase: {en: ..., zh-CN: ...}
        into[prefix] = node
        return
    if not isinstance(node, dict):
        raise MessageError(f"{CATALOGUE.name}: {prefix or 'the file'} is neither a phrase "
                           "(en: and zh-CN:) nor a group of them")
    for key, value in node.items():
        _flatten(value, f"{prefix}.{key}" if prefix else str(key), into)


def fields(template: str) -> set[str]:
    """The ``{name}`` fields of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def has(key: str) -> bool:
    return key in catalogue()


def text(key: str, language: str, **values) -> str:
    """The phrase ``key`` in ``language`` (English where a translation is missing: the
    catalogue's test forbids that, and grading must not stop for it)."""
    entry = catalogue().get(key)
    if entry is None:
        raise MessageError(f"no phrase {key!r} in autograder/{CATALOGUE.name}")
    template = entry.get(language) or entry[ENGLISH]
    try:
        return template.format(**values)
    except (KeyError, IndexError) as error:
        raise MessageError(f"phrase {key!r} needs the field {error}") from None


def current() -> str:
    """The language being spoken: the submission's inside :func:`speaking`, else English."""
    return _speaking.get()


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Render :func:`say` in ``language`` inside the block (one learner's judging or page)."""
    token = _speaking.set(language if language in LANGUAGES else ENGLISH)
    try:
        yield
    finally:
        _speaking.reset(token)


def say(key: str, **values) -> str:
    """The phrase in the language being spoken: what a learner reads."""
    return text(key, current(), **values)


def english(key: str, **values) -> str:
    """The phrase in English: the instructor's words (a status)."""
    return text(key, ENGLISH, **values)


def joined(phrases: list[str]) -> str:
    """Phrases of a message in the language being spoken, one after the other."""
    return ("" if current() == CHINESE else " ").join(phrase for phrase in phrases if phrase)


# Where a released notebook says its language: metadata.ttt.language.
LANGUAGE_GROUP, LANGUAGE_KEY = "ttt", "language"


def language_metadata(language: str) -> dict:
    """The notebook metadata a release writes for a notebook in ``language``."""
    return {LANGUAGE_GROUP: {LANGUAGE_KEY: language}}


def notebook_language(metadata) -> tuple[str, str | None]:
    """(the language of a learner's notebook, a note for its status or None), from its
    metadata's ``ttt.language`` as the release writes it; absent: English. A value the
    grader does not know is graded in English, and the note says so."""
    ttt = metadata.get(LANGUAGE_GROUP) if isinstance(metadata, dict) else None
    value = ttt.get(LANGUAGE_KEY) if isinstance(ttt, dict) else None
    if value is None or value == ENGLISH:
        return ENGLISH, None
    if value in LANGUAGES:
        return value, None
    from autograder.plain_text import plain  # the learner wrote it: shown, never trusted

    shown = plain(repr(value) if not isinstance(value, str) else value)[:40]
    return ENGLISH, english("status.unknown_language", value=shown)


_SAID_LANGUAGE = re.compile(
    rf'"{LANGUAGE_GROUP}"\s*:\s*\{{\s*"{LANGUAGE_KEY}"\s*:\s*"([^"]{{1,20}})"')
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Han characters that make a file that does not parse the Chinese variant: its prose has
# thousands; an English notebook, at most a learner's comment or two.
MIN_HAN = 200


def language_in_text(text: str) -> str:
    """The language of a notebook that does not parse (a truncated or hand-edited file):
    the release's ``"ttt": {"language": ...}`` if the text still has it (nbformat writes the
    metadata last: a cut-short file has lost it), else Chinese for a text of Chinese prose,
    else English."""
    said = _SAID_LANGUAGE.search(text)
    if said and said.group(1) in LANGUAGES:
        return said.group(1)
    return CHINESE if len(_HAN.findall(text, 0, 200_000)) >= MIN_HAN else ENGLISH


# --- statuses read back ------------------------------------------------------------------

@cache
def template_patterns(prefix: str) -> tuple[tuple[re.Pattern, str], ...]:
    """(the English template as a pattern, its key) of every phrase whose key starts with
    ``prefix``, the templates with the most fixed text first (the most specific wins): to
    read a filled-in English phrase back into another language."""
    found = []
    for key, entry in catalogue().items():
        if not key.startswith(prefix):
            continue
        pattern, seen, fixed = [], set(), 0
        for literal, name, _, _ in string.Formatter().parse(entry[ENGLISH]):
            pattern.append(re.escape(literal))
            fixed += len(literal)
            if name:
                pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
                seen.add(name)
        found.append((fixed, re.compile("".join(pattern), re.S), key))
    found.sort(key=lambda item: -item[0])
    return tuple((pattern, key) for _, pattern, key in found)


def _phrase(phrase: str, language: str) -> str | None:
    for pattern, key in template_patterns(STATUS):
        match = pattern.fullmatch(phrase)
        if match:  # a field may hold a phrase too ("late by 2 h (due ...)")
            values = {name: _phrase(value, language) or value
                      for name, value in match.groupdict().items()}
            return text(key, language, **values)
    return None


def translated_status(status: str, language: str) -> str:
    """An English status (phrases joined by "; ") in ``language``, phrase by phrase.

    A field of a phrase may itself hold "; " (a learner's error text): the shortest run of
    pieces that some template matches is taken, and a piece no template matches is kept."""
    if language == ENGLISH or language not in LANGUAGES:
        return status
    pieces, shown, start = status.split(STATUS_SEPARATOR), [], 0
    while start < len(pieces):
        for end in range(start + 1, len(pieces) + 1):
            found = _phrase(STATUS_SEPARATOR.join(pieces[start:end]), language)
            if found is not None:
                shown.append(found)
                start = end
                break
        else:
            shown.append(pieces[start])
            start += 1
    return _SEPARATORS[language].join(shown)
