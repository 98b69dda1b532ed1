"""Keep the Chinese pages in step with the English ones: which need re-translating.

    python tools/translations.py status          # every page: up to date or not, and why
    python tools/translations.py mark PAGE...    # after re-translating PAGE
    python tools/translations.py mark --all      # record every translated page as current

PAGE is a page key (`tensors/index`) or either page's path (`book/tensors/index.md`,
`book/zh-CN/tensors/index.md`). `make translations` runs `status`.

Hand-kept translations drift from their source: the English page changes and nobody
carries it over. For each Chinese page, book/zh-CN/_translated_from.txt records a hash of
its English page's prose (its markdown cells, tools/page_pairs.py) as it was when the page
was last translated; `mark` writes it. `status` compares it with the English prose now:

  up to date      the English prose is what was translated
  prose changed   the English prose changed since: re-translate, then `mark`
  not marked      no record yet: check the page against its English page, then `mark`
  code differs    the code, front matter or cell layout departs from the English page
                  (tools/page_pairs.py says where); `make test` fails on it
  missing         the English page has no Chinese page yet

`make test` fails on code drift (tests/book/test_translated_pages.py) and warns on prose
drift (a ProseDriftWarning in pytest's summary, tests/book/test_translation_sync.py).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import editions
import page_pairs

RECORD_FILE = "_translated_from.txt"
RECORD_HEADER = """\
# The English prose each Chinese page was translated from: a page key, then the sha256 of
# its English page's prose (markdown cells) when the page was last translated. Written by
# `python tools/translations.py mark PAGE`; read by `... status` and `make test`.
"""
UP_TO_DATE, PROSE_CHANGED, NOT_MARKED = "up to date", "prose changed", "not marked"
CODE_DIFFERS, MISSING = "code differs", "missing"


class ProseDriftWarning(UserWarning):
    """An English page's prose changed since its Chinese page was translated (or the
    page was never marked): re-translate it, then `python tools/translations.py mark`."""


@dataclass(frozen=True)
class PageStatus:
    key: str
    state: str  # one of the five above
    details: tuple[str, ...] = ()  # for code differences: where

    def line(self) -> str:
        text = f"{self.state:<14} {self.key}"
        return text + "".join(f"\n{'':<15}{detail}" for detail in self.details)


def prose_hash(english_page: Path) -> str:
    """The sha256 of a page's prose: its markdown cells, in order."""
    cells = page_pairs.prose(english_page.read_text(encoding="utf-8"))
    return hashlib.sha256("\x1e".join(cells).encode("utf-8")).hexdigest()


def record_path(repo: Path = editions.REPO) -> Path:
    return editions.chinese(repo).pages / RECORD_FILE


def read_record(repo: Path = editions.REPO) -> dict[str, str]:
    path = record_path(repo)
    if not path.is_file():
        return {}
    record = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                key, digest = line.split()
            except ValueError:
                raise editions.EditionError(
                    f"{path}:{number}: expected a page key and a hash, found {line!r}"
                ) from None
            record[key] = digest
    return record


def write_record(record: dict[str, str], repo: Path = editions.REPO) -> None:
    lines = [f"{key} {digest}" for key, digest in sorted(record.items())]
    record_path(repo).write_text(RECORD_HEADER + "\n".join(lines) + "\n", encoding="utf-8")


def status(repo: Path = editions.REPO) -> list[PageStatus]:
    """Every English toc page's Chinese page, in toc order."""
    en, zh = editions.english(repo), editions.chinese(repo)
    record = read_record(repo)
    rows = []
    for key in editions.english_keys(repo):
        if not zh.page(key).is_file():
            rows.append(PageStatus(key, MISSING))
            continue
        drift = page_pairs.compare_files(en.page(key), zh.page(key))
        if drift:
            rows.append(PageStatus(key, CODE_DIFFERS, tuple(map(str, drift))))
        elif key not in record:
            rows.append(PageStatus(key, NOT_MARKED))
        elif record[key] != prose_hash(en.page(key)):
            rows.append(PageStatus(key, PROSE_CHANGED))
        else:
            rows.append(PageStatus(key, UP_TO_DATE))
    return rows


def page_key(page: str, repo: Path = editions.REPO) -> str:
    """A page key from a key or either edition's path to the page."""
    path = Path(page)
    keys = editions.english_keys(repo)
    candidates = [page.removesuffix(editions.SOURCE_SUFFIX)]
    for edition in (editions.chinese(repo), editions.english(repo)):  # zh-CN lies in book/
        absolute = path if path.is_absolute() else (repo / path)
        if absolute.resolve().is_relative_to(edition.pages.resolve()):
            relative = absolute.resolve().relative_to(edition.pages.resolve())
            candidates.insert(0, relative.with_suffix("").as_posix())
            break
    for candidate in candidates:
        if candidate in keys:
            return candidate
    example = f"a key such as {keys[-1]!r}, or a path" if keys else "it lists no page"
    raise KeyError(f"{page}: not a page of _toc.yml ({example})")


def mark(pages: list[str], repo: Path = editions.REPO) -> list[str]:
    """Record the English prose of `pages` as translated; the keys marked."""
    zh, en = editions.chinese(repo), editions.english(repo)
    record = read_record(repo)
    marked = []
    for page in pages:
        key = page_key(page, repo)
        if not zh.page(key).is_file():
            raise FileNotFoundError(f"{key}: there is no Chinese page "
                                    f"({zh.page(key).relative_to(repo)}) to mark")
        record[key] = prose_hash(en.page(key))
        marked.append(key)
    write_record(record, repo)
    return marked


def main(argv: list[str], repo: Path = editions.REPO) -> int:
    try:
        return _command(argv, repo)
    except editions.EditionError as error:  # a damaged record or edition: one line
        print(f"translations: {error}", file=sys.stderr)
        return 1


def _command(argv: list[str], repo: Path) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="list every page's state")
    marking = commands.add_parser("mark", help="record pages as translated from the "
                                  "English prose as it is now")
    marking.add_argument("pages", nargs="*", help="page keys or paths")
    marking.add_argument("--all", action="store_true", help="every page that has a "
                         "Chinese page (after a first translation, or a review of all)")
    args = parser.parse_args(argv)
    if args.command == "status":
        rows = status(repo)
        for row in rows:
            print(row.line())
        counts = {state: sum(row.state == state for row in rows) for state in
                  (UP_TO_DATE, PROSE_CHANGED, NOT_MARKED, CODE_DIFFERS, MISSING)}
        print(f"\n{len(rows)} pages: " + ", ".join(f"{n} {state}" for state, n in
                                                   counts.items() if n))
        return 0
    if args.all == bool(args.pages):
        parser.error("mark: name the pages, or give --all")
    pages = [row.key for row in status(repo) if row.state != MISSING] if args.all \
        else args.pages
    try:
        marked = mark(pages, repo)
    except (KeyError, FileNotFoundError) as error:
        print(f"translations: {error.args[0]}", file=sys.stderr)
        return 1
    print(f"marked {len(marked)} page(s) as translated from the current English prose: "
          + ", ".join(marked))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
