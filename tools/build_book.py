"""Build the book, both editions: the one command behind `make book` and the build benchmark.

    python tools/build_book.py [--jobs N] [--path-output DIR] [--allow-untranslated]

Each edition is jupyter-book's Sphinx build with the project's strict flags (warnings are
errors, nitpicky, keep going to report every problem) and one addition: pages are read,
and so executed, in parallel. jupyter-book 1.x's command line always asks Sphinx for one process,
so a cold build would run every chapter's kernel one after another; Sphinx reads in
parallel when every extension says it is safe (see book/_ext/parallel_read.py), and
myst-nb executes a page while reading it.

The English edition (the repository, `_config.yml`, `_toc.yml`) is built first into
`_build/html/`; then the Simplified Chinese one (pages in `book/zh-CN/`) into
`_build/html/zh-CN/`, from a configuration and toc that tools/editions.py derives from the
English ones (written to `_build/zh-CN/`, where it is built, beside its doctrees and executed
notebooks, and then copied into the site: see `mirror`).
Both use one jupyter-cache, `_build/.jupyter_cache`, which keys a notebook by its code
cells: a Chinese page, whose code is the English page's, finds the English execution there
and runs no kernel. Each edition is built in a child process forked after the imports, so
the second build pays no import time and inherits no state of the first (Sphinx keeps its
UI translations in globals).

A toc page without a Chinese page stops the build, naming it; `--allow-untranslated`
(`make book ALLOW_UNTRANSLATED=1`) builds the Chinese edition with the pages it has while
translators work, their English pages' language switch leading to its front page.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import time
import traceback
from pathlib import Path

import editions
from autograder.kernel_template.kernelspec import kernels_from_template

REPO = Path(__file__).resolve().parents[1]
# Starts the lines that say which edition is built (tests/bench/bench_book.py reads them).
EDITION_MARK = "==="
# The log's lines that start an edition's part and say it was built (tests/bench reads them).
EDITION_LINE = re.compile(rf"^{EDITION_MARK} (?P<label>\S+) edition \((?P<code>[^)]+)\): ",
                          re.MULTILINE)
BUILT_LINE = re.compile(rf"^{EDITION_MARK} \S+ edition \((?P<code>[^)]+)\) built in "
                        r"(?P<seconds>[\d.]+) s", re.MULTILINE)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="pages read and executed at once (default: the number of cores)")
    parser.add_argument("--path-output", type=Path, default=REPO,
                        help="folder that receives _build/ (default: the repository)")
    parser.add_argument("--no-template", action="store_true",
                        help="start every page's kernel as a fresh Python (default: fork it "
                             "from one kernel template that has imported TensorFlow)")
    parser.add_argument("--allow-untranslated", action="store_true",
                        help="build the Chinese edition with the pages it has (default: a "
                             "toc page without a Chinese page stops the build)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    return args


def create_execution_cache(path: Path) -> None:
    """Create myst-nb's jupyter-cache database up front.

    Parallel readers that find no database both try to create it, and one fails with
    "table ... already exists"; created here, once, they only open it.
    """
    if (path / "global.db").is_file():
        return  # there already, so no race: importing jupyter_cache here would only cost time
    from jupyter_cache import get_cache

    get_cache(path).db  # the property creates the database on first use


def skip_iri_syntax_checks() -> None:
    """Keep jsonschema from loading rfc3987-syntax in this process.

    When that package is installed (jupyter-events asks for jsonschema's format extras),
    importing jsonschema compiles 38 grammars with lark: about 7 s here, paid by every
    build, also when nothing changed. It serves only the "iri" formats, which no schema the
    build validates (jupyter-book's configuration, nbformat's notebooks) uses. jsonschema
    imports it under ``suppress(ImportError)``; a None entry in sys.modules is that error.
    Kernels are other processes and keep it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def preload() -> None:
    """Import what both builds use, once, before forking them."""
    import jupyter_book.sphinx  # noqa: F401 (Sphinx, jupyter-book's configuration)
    import myst_nb.sphinx_ext  # noqa: F401
    import pydata_sphinx_theme  # noqa: F401
    import sphinx_book_theme  # noqa: F401
    import sphinx_design  # noqa: F401
    import sphinx_exercise  # noqa: F401
    import sphinx_external_toc  # noqa: F401


def build_edition(edition: editions.Edition, config: Path, toc: Path, build: Path,
                  overrides: dict, jobs: int) -> int:
    """One edition's strict jupyter-book build; its exit status."""
    from jupyter_book.sphinx import build_sphinx

    # Sphinx's folders are <build>/[<edition>/]html and .doctrees; myst-nb's executed
    # notebooks go beside the HTML (sphinx-book-theme reads them from there).
    work = build / edition.html if edition.html else build
    published = build / "html" / edition.html if edition.html else build / "html"
    print(f"\n{EDITION_MARK} {edition.label} edition ({edition.code}): "
          f"{edition.srcdir.relative_to(REPO).as_posix() or '.'} -> {published}", flush=True)
    start = time.perf_counter()
    result = build_sphinx(
        edition.srcdir, work / "html", noconfig=True, path_config=config,
        confoverrides={"external_toc_path": toc.as_posix(), "latex_individualpages": False,
                       "nitpicky": True, **overrides},
        builder="html", warningiserror=True, keep_going=True, jobs=jobs)
    if isinstance(result, BaseException):
        return 2  # Sphinx's handler has printed it
    if work != build:
        mirror(work / "html", published)
    seconds = time.perf_counter() - start
    if result:
        print(f"{EDITION_MARK} the {edition.label} edition's build failed (exit {result}) "
              f"after {seconds:.1f} s: see above", flush=True)
    else:
        print(f"{EDITION_MARK} {edition.label} edition ({edition.code}) built in "
              f"{seconds:.1f} s", flush=True)
    return int(result or 0)


def mirror(source: Path, target: Path) -> None:
    """Make `target` a copy of `source`, copying only files whose size or time differ.

    The Chinese edition is built in _build/zh-CN/html (sphinx-book-theme looks for the
    executed notebooks beside the HTML folder, which must not be inside the published
    one) and published as _build/html/zh-CN: a real folder, so that publishing
    _build/html needs nothing special.
    """
    wanted = set()
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        copy = target / relative
        if path.is_dir():
            copy.mkdir(parents=True, exist_ok=True)
            continue
        wanted.add(relative)
        stat = path.stat()
        if copy.is_file() and copy.stat().st_size == stat.st_size \
                and copy.stat().st_mtime == stat.st_mtime:
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
    for path in sorted(target.rglob("*"), reverse=True):  # children before their folders
        relative = path.relative_to(target)
        if path.is_dir():
            if not (source / relative).is_dir():
                shutil.rmtree(path)
        elif relative not in wanted:
            path.unlink(missing_ok=True)


def in_child(function, *args) -> int:
    """Run `function(*args)` in a forked child process; its exit status."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = function(*args)
        except BaseException:  # noqa: BLE001 - reported, and the status says it failed
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Kernels inherit these: TensorFlow's import-time log lines would otherwise show as
    # stderr under every TensorFlow page's Setup cell.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    skip_iri_syntax_checks()
    build = args.path_output / "_build"
    cache = build / ".jupyter_cache"
    create_execution_cache(cache)

    en = editions.english()
    try:
        zh = editions.chinese()
        zh_config, zh_toc, zh_keys = editions.write_derived(
            build / zh.html, allow_missing=args.allow_untranslated)
    except editions.EditionError as error:
        print(f"build_book: the Chinese edition: {error}", file=sys.stderr)
        return 1
    pages = {en.code: editions.english_keys(), zh.code: zh_keys}

    def table(edition):
        return {"ttt_language_switch": editions.switch_table(edition, pages,
                                                             args.allow_untranslated)}

    preload()
    with contextlib.nullcontext() if args.no_template else kernels_from_template():
        return build_both(en, zh, zh_config, zh_toc, build, cache, table, args.jobs)


def build_both(en, zh, zh_config, zh_toc, build, cache, table, jobs) -> int:
    """The English edition, then (if it built) the Chinese one; the worse exit status."""
    english_status = in_child(build_edition, en, REPO / "_config.yml", REPO / "_toc.yml",
                              build, table(en), jobs)
    if english_status:  # its failing pages have no cache record: they would run again
        print(f"build_book: the {zh.code} edition is not built: the English one failed "
              "(its errors are above)", file=sys.stderr)
        return english_status
    statuses = [
        english_status,
        in_child(build_edition, zh, zh_config, zh_toc, build, {
            **table(zh),
            "ttt_site_folder": zh.html,
            "html_search_options": {"dict": str(editions.write_search_words(build / zh.html))},
            # The English edition's cache (myst-nb's default for it): shared executions.
            "nb_execution_cache_path": str(cache.resolve()),
        }, jobs),
    ]
    return max(statuses)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
