"""Benchmark the book build: cold build, no-change rebuild, each chapter's execution time.

Run by `make bench` (not a pytest test). Builds the book, both editions, from the
repository into a temporary output folder, so neither _build/ nor its jupyter cache is
touched:

1. cold build: empty output folder, so no jupyter cache and no Sphinx environment;
2. no-change rebuild: the same command again (only re-renders);
3. cold build without the kernel template (`--no-template`: every page's kernel a fresh
   Python importing TensorFlow), into a second empty folder: what the template saves;
4. execution time of every page, as myst-nb recorded it in each edition's environment;
   the Chinese pages are listed with how they got their outputs: "reused" (the English
   page's execution, found in the shared jupyter-cache: no kernel ran) or "executed".

Prints a table with the targets from issue 2 (2-core machine: rebuild <= 5 s, cold <= 90 s)
and the ratio measured / target (<= 1.00 meets the target).

    .venv/bin/python tests/bench/bench_book.py [--output DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The very command behind `make book`: a benchmark of the build the project actually runs.
BUILD_SCRIPT = REPO / "tools" / "build_book.py"
sys.path.insert(0, str(BUILD_SCRIPT.parent))
from build_book import BUILT_LINE, EDITION_LINE  # noqa: E402 -- the log it writes
TARGETS_SECONDS = {"cold build": 90.0, "no-change rebuild": 5.0,
                   "cold build, --no-template": None}  # no target: the comparison
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def build(output: Path, *options: str) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
    env.pop("MPLBACKEND", None)  # the kernels must use the inline backend, as in `make book`
    command = [sys.executable, str(BUILD_SCRIPT), "--path-output", str(output), *options]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, result


ZH = "zh-CN"


def editions_in(log: str) -> dict[str, str]:
    """Each edition's part of a build's log, by edition code (tools/build_book.py's
    "=== <label> edition (<code>): ..." lines start them)."""
    log = ANSI_ESCAPE.sub("", log)
    marks = list(EDITION_LINE.finditer(log))
    return {mark["code"]: log[mark.start():marks[i + 1].start() if i + 1 < len(marks) else None]
            for i, mark in enumerate(marks)}


def work_done(log: str) -> str:
    """How many pages each edition read, executed and took from the cache: a rebuild
    should do none of it, and the Chinese edition should execute nothing."""
    parts = []
    for code, part in editions_in(log).items():
        read = len(re.findall(r"^reading sources\.\.\. \[", part, re.MULTILINE))
        executed = part.count("Executing notebook")
        cached = part.count("Using cached notebook")
        built = BUILT_LINE.search(part)
        took = f" in {float(built['seconds']):.0f} s" if built else ""
        parts.append(f"{code}: read {read}, executed {executed}, cached {cached}{took}")
    return "; ".join(parts) or "(no edition built: see the log)"


def executed_pages(log: str, code: str) -> set[str]:
    """The source paths an edition's build executed (myst-nb logs each)."""
    part = editions_in(log).get(code, "")
    return set(re.findall(r"^(\S+): Executing notebook", part, re.MULTILINE))


def execution_seconds(output: Path, edition: str = "") -> dict[str, float | None]:
    """Each executed page's run time, from myst-nb's data in an edition's pickled Sphinx
    environment (a reused execution reports the run time of the execution it reused)."""
    folder = output / "_build" / edition if edition else output / "_build"
    pickled = folder / ".doctrees" / "environment.pickle"
    if not pickled.is_file():
        return {}
    sys.path.insert(0, str(REPO / "book" / "_ext"))  # the environment may refer to our extension
    with pickled.open("rb") as handle:
        env = pickle.load(handle)
    metadata = getattr(env, "nb_metadata", {}) or {}
    return {
        docname: (data.get("exec_data") or {}).get("runtime")
        for docname, data in sorted(metadata.items())
        if data.get("exec_data")
    }


def chapter_of(docname: str) -> str:
    """book/linear_fit/numpy -> linear_fit; book/intro -> intro."""
    parts = docname.split("/")
    return parts[1] if len(parts) > 2 else parts[-1]


def ratio(measured: float, target: float) -> str:
    return f"{measured / target:.2f}"


def print_report(builds: dict[str, tuple[float, str]], pages: dict[str, float | None],
                 chinese: dict[str, str]) -> None:
    print()
    print(f"{'measure':<36} {'seconds':>9} {'target':>8} {'ratio':>7}  work")
    print("-" * 120)
    for name, (seconds, work) in builds.items():
        target = TARGETS_SECONDS[name]
        if target is None:
            print(f"{name:<36} {seconds:>9.1f} {'-':>8} {'-':>7}  {work}")
        else:
            print(f"{name:<36} {seconds:>9.1f} {target:>8.1f} {ratio(seconds, target):>7}  {work}")
    cold = builds["cold build"][0]
    if "cold build, --no-template" in builds:
        plain = builds["cold build, --no-template"][0]
        print(f"kernel template: the cold build takes {cold / plain:.2f} of its time without "
              f"it ({plain / cold:.2f}x faster)")

    if not pages:
        print("\n(no execution data: did the build fail before executing?)")
        return
    print()
    print(f"{'page execution (last run)':<36} {'seconds':>9} {'share':>8}")
    print("-" * 63)
    total = sum(seconds or 0.0 for seconds in pages.values())
    chapters: dict[str, float] = defaultdict(float)
    for docname, seconds in pages.items():
        chapters[chapter_of(docname)] += seconds or 0.0
        shown = "cached" if seconds is None else f"{seconds:9.1f}"
        print(f"{docname:<36} {shown:>9} {(seconds or 0.0) / cold:>8.0%}")
    print()
    print(f"{'chapter execution (sum of pages)':<36} {'seconds':>9} {'share':>8}")
    print("-" * 63)
    for chapter, seconds in chapters.items():
        print(f"{chapter:<36} {seconds:>9.1f} {seconds / cold:>8.0%}")
    print(f"{'all pages':<36} {total:>9.1f} {total / cold:>8.0%}")
    if chinese:
        print()
        print(f"{'Chinese edition (cold build)':<36} {'outputs':>9}")
        print("-" * 63)
        for page, how in chinese.items():
            print(f"{page:<36} {how:>9}")
        reused = sum(how == "reused" for how in chinese.values())
        print(f"{'all Chinese pages':<36} {reused:>4} of {len(chinese)} reused the English "
              "execution")
    print("\nshare: of the cold build's wall time. ratio = measured / target (<= 1.00 meets it);")
    print("targets from issue 2, for a 2-core machine with nothing else running (see `uptime`).")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="build here instead of a temporary folder (emptied first)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary build folder")
    args = parser.parse_args()

    output = args.output or Path(tempfile.mkdtemp(prefix="ttt-bench-"))
    if args.output and output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)
    print(f"building {REPO} into {output} (cold, then unchanged)...", flush=True)
    try:
        cold, first = build(output)
        rebuild, second = build(output)
        plain_output = output / "no-template"
        plain_output.mkdir()
        plain, third = build(plain_output, "--no-template")
        pages = execution_seconds(output)
        executed = executed_pages(first.stdout + first.stderr, ZH)
        chinese = {docname: ("executed" if any(p.endswith(f"/{ZH}/{docname}.md")
                                               for p in executed) else "reused")
                   for docname in execution_seconds(output, ZH)}
        builds = {
            "cold build": (cold, work_done(first.stdout + first.stderr)),
            "no-change rebuild": (rebuild, work_done(second.stdout + second.stderr)),
            "cold build, --no-template": (plain, work_done(third.stdout + third.stderr)),
        }
        runs = (("cold", first), ("rebuild", second), ("no-template", third))
        for name, result in runs:
            (output / f"{name}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        print_report(builds, pages, chinese)
        failed = [(name, r) for name, r in runs if r.returncode != 0]
        for name, result in failed:
            print(f"\n{name} FAILED (exit {result.returncode}); the times above are not valid. End of its log:")
            print((result.stdout + result.stderr)[-3000:])
        return 1 if failed else 0
    finally:
        if args.keep or args.output:
            print(f"\nbuilt book and build logs (cold.log, rebuild.log, no-template.log) kept "
                  f"in {output}")
        else:
            shutil.rmtree(output, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
