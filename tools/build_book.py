"""Build the book: the one command behind `make book` and the build benchmark.

    python tools/build_book.py [--jobs N] [--path-output DIR]

It is `jupyter-book build .` with the project's strict flags (warnings are errors, nitpicky,
keep going to report every problem) and one addition: pages are read — and so executed — in
parallel. jupyter-book 1.x's command line always asks Sphinx for one process, so a cold
build would run every chapter's kernel one after another; Sphinx reads in parallel when every
extension says it is safe (see book/_ext/parallel_read.py), and myst-nb executes a page while reading it.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STRICT_FLAGS = ["--warningiserror", "--nitpick", "--keep-going", "--builder", "html"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="pages read and executed at once (default: the number of cores)")
    parser.add_argument("--path-output", type=Path, default=REPO,
                        help="folder that receives _build/ (default: the repository)")
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


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Kernels inherit these: TensorFlow's import-time log lines would otherwise show as
    # stderr under every TensorFlow page's Setup cell.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    skip_iri_syntax_checks()
    create_execution_cache(args.path_output / "_build" / ".jupyter_cache")

    import jupyter_book.sphinx
    from jupyter_book.cli.main import main as jupyter_book_main

    # The CLI imports build_sphinx from this module when it runs, so the patch takes effect.
    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx, jobs=args.jobs)
    command = ["build", str(REPO), "--path-output", str(args.path_output), *STRICT_FLAGS]
    try:
        jupyter_book_main(command, standalone_mode=False)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
