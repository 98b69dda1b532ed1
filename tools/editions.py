"""The book's two editions, and how the Chinese one is derived from the English one.

The English edition is the source of truth: `_config.yml`, `_toc.yml` and the pages under
`book/`. The Simplified Chinese edition keeps only its pages, under `book/zh-CN/` at the
English paths, and `book/zh-CN/_edition.yml`: what its configuration changes (title,
language, ...) and the toc's captions in Chinese. Its table of contents and configuration
are derived here at build time, so the book's structure is written down once.

A page's *key* is its path in its edition's page folder without suffix: `tensors/index` is
`book/tensors/index.md` and `book/zh-CN/tensors/index.md`. The English build reads the
repository (docname `book/tensors/index`, HTML `book/tensors/index.html`); the Chinese
build reads `book/zh-CN/` (docname `tensors/index`, HTML `zh-CN/tensors/index.html`), and
writes into `_build/html/zh-CN/`, its build files beside it in `_build/zh-CN/`.

Used by tools/build_book.py (the build), tools/translations.py (the sync command) and the
tests; nothing here imports Sphinx.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import yaml

from ttt.labels import CJK  # noqa: F401 -- what counts as Chinese, defined once

REPO = Path(__file__).resolve().parents[1]
EDITION_FILE = "_edition.yml"
TOC_KEYS = ("root", "file")
SOURCE_SUFFIX = ".md"
GLOSSARY = "glossary"  # the page whose ```{glossary} terms the Chinese search learns


class EditionError(ValueError):
    """The Chinese edition cannot be derived (a missing page, an untranslated caption...)."""


@dataclass(frozen=True)
class Edition:
    """One language of the book: where its pages are, where its HTML goes."""

    code: str  # the HTML lang and the folder in the built site: "en", "zh-CN"
    language: str  # Sphinx's language: "en", "zh_CN"
    label: str  # how the language switch names it, in its own language
    srcdir: Path  # Sphinx's source folder
    pages: Path  # the folder page keys are relative to
    html: str  # its folder in _build/html ("" for the English edition, at the root)

    @property
    def docname_prefix(self) -> str:
        """What a page's key is prefixed with to make its Sphinx docname ("book/" or "")."""
        relative = self.pages.relative_to(self.srcdir).as_posix()
        return "" if relative == "." else relative + "/"

    def docname(self, key: str) -> str:
        return self.docname_prefix + key

    def key(self, docname: str) -> str | None:
        """The key of a docname of this edition, or None if it is not one of its pages."""
        prefix = self.docname_prefix
        return docname[len(prefix):] if docname.startswith(prefix) else None

    def page(self, key: str) -> Path:
        return self.pages / f"{key}{SOURCE_SUFFIX}"

    def html_path(self, key: str) -> str:
        """The page's HTML file, relative to the built site's root (_build/html)."""
        folder = f"{self.html}/" if self.html else ""
        return f"{folder}{self.docname(key)}.html"


def english(repo: Path = REPO) -> Edition:
    return Edition(code="en", language="en", label="English", srcdir=repo,
                   pages=repo / "book", html="")


EDITION_KEYS = ("code", "language", "label")  # what _edition.yml must say, as text


def chinese_settings(repo: Path = REPO) -> dict:
    """book/zh-CN/_edition.yml, read and checked (EditionError names what is wrong)."""
    path = repo / "book" / "zh-CN" / EDITION_FILE
    shown = path.relative_to(repo).as_posix()
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise EditionError(f"{shown}: cannot be read: "
                           f"{str(error).splitlines()[0] if str(error) else error!r}") from None
    missing = [key for key in EDITION_KEYS
               if not isinstance(settings, dict) or not isinstance(settings.get(key), str)]
    if missing:
        raise EditionError(f"{shown}: needs {', '.join(missing)} (text)")
    return settings


def chinese(repo: Path = REPO) -> Edition:
    settings = chinese_settings(repo)
    pages = repo / "book" / "zh-CN"
    return Edition(code=settings["code"], language=settings["language"],
                   label=settings["label"], srcdir=pages, pages=pages, html=settings["code"])


# --- the table of contents ---------------------------------------------------------------

def read_toc(repo: Path = REPO) -> dict:
    return yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8"))


def toc_keys(toc: dict, edition: Edition) -> list[str]:
    """Every page key the toc names, in order."""
    keys: list[str] = []

    def collect(entry):
        if isinstance(entry, dict):
            for name in TOC_KEYS:
                if name in entry:
                    key = edition.key(str(entry[name]))
                    if key is None:
                        raise EditionError(f"_toc.yml: {entry[name]!r} is not under "
                                           f"{edition.docname_prefix!r}")
                    keys.append(key)
            for value in entry.values():
                collect(value)
        elif isinstance(entry, list):
            for item in entry:
                collect(item)

    collect(toc)
    return keys


def english_keys(repo: Path = REPO) -> list[str]:
    return toc_keys(read_toc(repo), english(repo))


def missing_translations(repo: Path = REPO) -> list[str]:
    """The keys of the English toc's pages that have no Chinese page yet."""
    zh = chinese(repo)
    return [key for key in english_keys(repo) if not zh.page(key).is_file()]


def derive_toc(repo: Path = REPO, allow_missing: bool = False) -> tuple[dict, list[str]]:
    """The Chinese edition's toc (and its page keys, in order), from _toc.yml.

    Docnames lose the English prefix, captions are translated by `captions` in
    _edition.yml. A page without a Chinese file is an error naming it, or, with
    `allow_missing`, left out together with the sections under it.
    """
    en, zh = english(repo), chinese(repo)
    captions = chinese_settings(repo).get("captions") or {}
    missing = missing_translations(repo)
    if missing and not allow_missing:
        raise EditionError(
            "no Chinese page for " + ", ".join(f"book/{key}{SOURCE_SUFFIX}" for key in missing)
            + f" (expected at {', '.join(zh.page(k).relative_to(repo).as_posix() for k in missing)})")
    kept: list[str] = []

    def convert(entry):
        if isinstance(entry, list):
            converted = [convert(item) for item in entry]
            return [item for item in converted if item is not None]
        if not isinstance(entry, dict):
            return entry
        if any(not zh.page(en.key(str(entry[name]))).is_file()
               for name in TOC_KEYS if name in entry):
            return None  # (allowed) untranslated: the entry and the sections it holds
        result = {}
        for name, value in entry.items():
            if name in TOC_KEYS:
                key = en.key(str(value))
                kept.append(key)
                result[name] = zh.docname(key)
            elif name == "caption":
                if value not in captions:
                    raise EditionError(f"_toc.yml's caption {value!r} has no translation "
                                       f"under `captions` in book/zh-CN/{EDITION_FILE}")
                result[name] = captions[value]
            else:
                result[name] = convert(value)
        return result

    toc = convert(read_toc(repo))
    if toc is None or "root" not in toc:
        raise EditionError(f"the Chinese edition has no front page ({zh.page('intro')})")
    _drop_empty(toc)
    return toc, kept


def _drop_empty(entry) -> None:
    """Remove `sections`/`chapters`/`parts` lists that lost every page (untranslated)."""
    if isinstance(entry, dict):
        for name in [n for n, v in entry.items() if isinstance(v, list)]:
            for item in entry[name]:
                _drop_empty(item)
            entry[name] = [item for item in entry[name]
                           if not (isinstance(item, dict) and _is_empty(item))]
            if not entry[name]:
                del entry[name]


def _is_empty(item: dict) -> bool:
    return not any(name in item for name in (*TOC_KEYS, "chapters", "sections", "parts"))


# --- the configuration -------------------------------------------------------------------

def deep_merge(base: dict, changes: dict) -> dict:
    merged = copy.deepcopy(base)
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = deep_merge(merged[name], value)
        else:
            merged[name] = copy.deepcopy(value)
    return merged


def derive_config(repo: Path = REPO) -> dict:
    """The Chinese edition's _config.yml: the English one with _edition.yml's `config`
    merged over it, and the paths that were relative to the repository made absolute
    (the derived file lives in the build folder)."""
    english_config = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))
    config = deep_merge(english_config, chinese_settings(repo).get("config") or {})
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in extensions.items():
        extensions[name] = str((repo / path).resolve())
    edition = chinese(repo)
    # Sphinx's language is the edition's (said once, as _edition.yml's `language`).
    config.setdefault("sphinx", {}).setdefault("config", {})["language"] = edition.language
    # Source links and the repository button name the Chinese pages.
    config.setdefault("repository", {})["path_to_book"] = \
        edition.pages.relative_to(repo).as_posix()
    return config


def write_derived(folder: Path, repo: Path = REPO, allow_missing: bool = False
                  ) -> tuple[Path, Path, list[str]]:
    """Write the Chinese edition's _config.yml and _toc.yml into `folder` (rewritten only
    when they change, so that an unchanged build stays unchanged); their paths and the
    page keys the edition has."""
    toc, keys = derive_toc(repo, allow_missing)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in (("_config.yml", derive_config(repo)), ("_toc.yml", toc)):
        path = folder / name
        text = ("# Derived by tools/editions.py from the English edition's file and "
                "book/zh-CN/_edition.yml: do not edit.\n"
                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written[0], written[1], keys


def switch_table(this: Edition, pages: dict[str, list[str]], allow_missing: bool,
                 repo: Path = REPO) -> dict:
    """The config value book/_ext/language_switch.py reads (``ttt_language_switch``):
    both editions, the page keys each has (`pages`, by edition code), and which one this
    build is."""
    table = []
    for edition in (english(repo), chinese(repo)):
        table.append({"code": edition.code, "label": edition.label, "html": edition.html,
                      "docname_prefix": edition.docname_prefix,
                      "keys": list(pages[edition.code])})
    return {"this": this.code, "editions": table, "allow_missing": allow_missing}


def search_words(repo: Path = REPO) -> list[str]:
    """The Chinese terms the glossary page defines (the unindented lines of its
    ```{glossary} block that hold Chinese characters).

    Sphinx's Chinese search cuts text into words with jieba, whose dictionary lacks many
    of the book's terms: 梯度带 would be indexed as 梯度 alone and a search for it would
    find nothing. tools/build_book.py hands these words to jieba as a user dictionary
    (``html_search_options["dict"]``)."""
    page = chinese(repo).page(GLOSSARY)
    if not page.is_file():
        return []
    words, inside = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```{glossary}"):
            inside = True
        elif inside and line.startswith("```"):
            break
        elif inside and line.strip() and not line[0].isspace() and CJK.search(line):
            words.append(line.strip())
    return words


def write_search_words(folder: Path, repo: Path = REPO) -> Path:
    """jieba's user dictionary (one word a line) for the Chinese search, in `folder`."""
    path = folder / "search_words.txt"
    text = "".join(f"{word}\n" for word in search_words(repo))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
