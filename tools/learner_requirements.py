"""Write binder/requirements.txt: what learners need beside `ttt`, pinned as in the lock.

    python tools/learner_requirements.py [--check]

Binder (repo2docker) reads ``binder/requirements.txt``; a course's JupyterHub image
installs the same file (``make dist`` copies it beside the wheel). It names the packages
the notebooks import, and jupytext so that the ``.md`` chapters open as notebooks, each
pinned to its version in ``requirements.lock`` (TensorFlow with the lock's platform
markers); pip resolves their own dependencies. ``make lock`` rewrites it; ``--check`` exits
with 1, naming the difference, when the file is not what this would write (a test runs it).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"
TARGET = REPO / "binder" / "requirements.txt"
# What the notebooks import (ttt's own dependencies among them), and jupytext.
LEARNER_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "tensorflow", "tensorflow-cpu",
                    "jupytext")
HEADER = """\
# What learners need beside the `ttt` wheel, pinned as in requirements.lock. Written by
# tools/learner_requirements.py (make lock): do not edit. Binder installs it (then
# binder/postBuild installs ttt); a course image installs it with the wheel (make dist).
"""


def _name(line: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""


def generate(lock_text: str) -> str:
    lines = [line.strip() for line in lock_text.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    chosen = [line for line in lines if _name(line) in LEARNER_PACKAGES]
    missing = set(LEARNER_PACKAGES) - {_name(line) for line in chosen}
    if missing:
        raise SystemExit(f"learner_requirements: requirements.lock pins no "
                         f"{', '.join(sorted(missing))}")
    return HEADER + "".join(f"{line}\n" for line in chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare binder/requirements.txt with what would be written")
    args = parser.parse_args(argv)
    text = generate(LOCK.read_text(encoding="utf-8"))
    current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else ""
    if args.check:
        if current != text:
            print(f"{TARGET.relative_to(REPO)} is not what requirements.lock gives: run "
                  "`python tools/learner_requirements.py` (make lock does)", file=sys.stderr)
            return 1
        return 0
    if current != text:
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
