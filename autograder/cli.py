"""The instructor's command line: a thin layer over autograder.batch and friends.

    python -m autograder grade ASSIGNMENT SUBMISSIONS_DIR --out OUT_DIR [--jobs N]
        [--db URL] [--no-sandbox] [--memory 4GiB] [--disk 512MiB] [--tasks 512]
        [--timeout SECONDS] [--wall SECONDS] [--only ID,ID] [--force] [--seed SEED]
        [--scheduler tcp://HOST:PORT]
    python -m autograder worker tcp://HOST:PORT [--slots N]
    python -m autograder export ASSIGNMENT --format canvas|moodle|csv [--roster ROSTER.csv]
        [--db URL] --out FILE
    python -m autograder release [NAME ...]

Each judged submission is written at once to OUT_DIR/.journal/<ASSIGNMENT>.jsonl and the
outputs are built from it: the same command, run again after a crash, grades only what the
journal lacks (see autograder/journal.py); --force grades everyone again, --only just some
(autograder/selection.py); grades.csv never drops a row (autograder/class_grades.py).

With --scheduler (or Dask's own ``scheduler-address`` setting) the notebooks run on Dask
workers (autograder/cluster/); this process still judges and writes everything.

Exit status: 0 when the batch completed, whatever the learners scored; 2 with a one-line
message on stderr for misuse (unknown assignment, missing folder, no sandbox possible, no
scheduler or worker to grade on); 1 when the cluster failed part-way (the grades finished
are kept in the journal: the same command grades the rest).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder import assignments, authoring, intake, journal, lateness, lms_export, selection
from autograder.parts import SpecError
from autograder.sandbox.limits import GiB, Limits
from autograder.plain_text import plain

_UNITS = {"": 1, "b": 1, "k": 2**10, "kib": 2**10, "m": 2**20, "mib": 2**20,
          "g": GiB, "gib": GiB}


class UsageError(Exception):
    """Misuse of the command; str() is the one-line message."""


def parse_bytes(text: str) -> int:
    """'4GiB', '512M', '1.5g' or a plain number of bytes."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        raise argparse.ArgumentTypeError(
            f"invalid size {text!r}: use a number with an optional unit, e.g. 4GiB or 512MiB")
    value = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if value <= 0:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}: must be more than 0")
    return value


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: must be more than 0")
        return value
    return parse


_MAX_SEED = 2**31 - 1  # the range of the fresh seeds (batch.learner_seed)


def _seed(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) > _MAX_SEED:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: a whole number from 0 to "
                                         f"{_MAX_SEED}")
    return int(text)


def _from(parse):
    """An argparse type from a parser raising LatenessError (its message, one line)."""
    def convert(text: str):
        try:
            return parse(text)
        except lateness.LatenessError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return convert


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage dump
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    defaults = Limits()
    parser = _Parser(prog="python -m autograder", description="Grade and release exercises.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    grade = commands.add_parser("grade", help="grade a folder of submissions")
    grade.add_argument("assignment", help=f"one of {', '.join(assignments.ASSIGNMENTS)}")
    grade.add_argument("submissions", type=Path,
                       help="folder with one sub-folder per learner: <learner>/<ASSIGNMENT>.ipynb")
    grade.add_argument("--out", type=Path, required=True,
                       help="where grades.csv, feedback/ and autograded/ are written")
    grade.add_argument("--jobs", type=_positive(int),
                       help="submissions graded at once (default: the number of cores; "
                            "with --scheduler, the workers' slots decide)")
    grade.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="run the notebooks on the workers of this Dask scheduler "
                            "(default: Dask's scheduler-address setting, e.g. "
                            "DASK_SCHEDULER_ADDRESS; none: grade on this machine)")
    grade.add_argument("--wait-for-workers", type=_positive(float), metavar="SECONDS",
                       help="with --scheduler: how long to wait for a worker that can grade, "
                            "at the start and whenever every such worker has left "
                            "(default: 60)")
    grade.add_argument("--db", help="nbgrader gradebook URL (default: the course's, from "
                                    "autograder/nbgrader_config.py)")
    grade.add_argument("--memory", type=parse_bytes, default=defaults.memory_bytes,
                       help="resident memory cap per submission (default: 4GiB)")
    grade.add_argument("--disk", type=parse_bytes, default=defaults.disk_bytes,
                       help="size of the writable working folder per submission, kept in "
                            f"memory (default: {defaults.disk_bytes // 2**20}MiB)")
    grade.add_argument("--tasks", type=_positive(int), default=defaults.max_tasks,
                       help="processes and threads per submission at once "
                            f"(default: {defaults.max_tasks})")
    grade.add_argument("--timeout", type=_positive(float), default=defaults.cell_timeout,
                       help=f"seconds per cell (default: {defaults.cell_timeout:g})")
    grade.add_argument("--wall", type=_positive(float), default=defaults.wall_seconds,
                       help=f"seconds per submission (default: {defaults.wall_seconds:g})")
    grade.add_argument("--files", type=_positive(int), default=defaults.max_files,
                       help="files and folders per in-memory folder of a submission "
                            f"(default: {defaults.max_files})")
    grade.add_argument("--host-floor", type=parse_bytes,
                       help="only where no control group can be made: stop the largest "
                            "submission when the machine's available memory falls below "
                            "this (default: a tenth of the memory, 512MiB to 4GiB)")
    grade.add_argument("--no-cgroups", action="store_true", help=argparse.SUPPRESS)  # tests
    grade.add_argument("--no-zygote", action="store_true",
                       help="start a fresh sandboxed Python per submission instead of forking "
                            "each from a grading template that imported TensorFlow once "
                            "(README: The grading template)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run learners' code WITHOUT isolation (it can then read "
                            "solutions/ and the gradebook); only where bubblewrap cannot run")
    grade.add_argument("--force", "--regrade", dest="force", action="store_true",
                       help="grade every submission (of --only, if given) again, "
                            "ignoring the results kept in "
                            f"OUT/{journal.JOURNAL_DIR}/ASSIGNMENT.jsonl (by default a re-run "
                            "reuses them for learners whose notebook, the tests, the limits "
                            "and the grader are unchanged, and grades only the others)")
    grade.add_argument("--only", type=selection.parse_only, metavar="ID,ID",
                       help="grade just these learners (ids as grades.csv shows them), "
                            "again even if unchanged; everyone else's rows, feedback and "
                            "gradebook entries stay as they are")
    grade.add_argument("--seed", type=_seed, metavar="SEED",
                       help="draw every graded learner's data from this seed (0 to "
                            f"{_MAX_SEED}) instead of a fresh secret one each: grades.csv's "
                            "seed column shows each learner's, and --only ID --seed SEED "
                            "grades that learner again exactly as before. With several "
                            "learners they all get the same data")
    grade.add_argument("--due", type=_from(lateness.parse_due), metavar="DATE",
                       help="the due date, e.g. 2026-12-01T17:00 (UTC) or "
                            "2026-12-01T17:00+01:00 (default: the gradebook's, as set by "
                            "`nbgrader db assignment add --duedate`)")
    grade.add_argument("--extensions", type=Path, metavar="FILE.csv",
                       help="learners' own due dates: a CSV with the columns learner_id,due")
    grade.add_argument("--late-policy", type=_from(lateness.parse_policy), metavar="POLICY",
                       default=lateness.Policy(),
                       help="none (default), zero, or subtract:POINTS_PER_HOUR (per started "
                            "hour late), never more than the score (nbgrader's semantics)")

    export = commands.add_parser("export", help="write an assignment's grades for an LMS")
    export.add_argument("assignment", help="the assignment, as the gradebook names it")
    export.add_argument("--format", required=True, choices=lms_export.FORMATS,
                        help="Canvas's or Moodle's grade import CSV, or a plain CSV")
    export.add_argument("--roster", type=Path, help="CSV of learner_id and the learners' LMS "
                        "ids (see autograder/roster.py; default: the gradebook's students)")
    export.add_argument("--db", help="nbgrader gradebook URL (default: the course's)")
    export.add_argument("--out", type=Path, required=True, help="the file to write")

    release = commands.add_parser("release", help="regenerate exercises/ from solutions/")
    release.add_argument("names", nargs="*", help="assignments (default: all)")

    worker = commands.add_parser("worker", help="grade on this machine for a Dask scheduler "
                                                "(README: Grading on several machines)")
    worker.add_argument("address", help="the scheduler, e.g. tcp://10.0.0.5:8786")
    worker.add_argument("--slots", type=_positive(int), metavar="N",
                        help="submissions graded here at once (default: the cores)")
    worker.add_argument("--name", help="the worker's name in Dask's dashboard")
    worker.add_argument("--no-sandbox", action="store_true",
                        help="skip the start-up check for bubblewrap (each batch is still "
                             "asked: without bubblewrap, only batches graded --no-sandbox)")
    return parser


def _grade(args) -> int:
    # However grading ends, the journal's lock is released (tests grade in-process).
    with contextlib.ExitStack() as cleanup:
        try:
            return _grade_into(args, cleanup)
        except journal.JournalError as error:
            raise UsageError(str(error)) from None


def _grade_into(args, cleanup: contextlib.ExitStack) -> int:
    """Grade what the journal lacks, then write every output from the journal."""
    from autograder import (autograded_copy, batch, class_grades, class_report, feedback,
                            gradebook)
    from autograder.results import Result
    from autograder.sandbox import bubblewrap, memory_protection
    from autograder.progress import ProgressBar

    try:
        assignment = assignments.get(args.assignment)
    except assignments.UnknownAssignmentError as error:
        raise UsageError(str(error)) from None
    if not args.submissions.is_dir():
        raise UsageError(f"submissions folder not found: {args.submissions}")
    if not assignment.source_path.is_file():
        raise UsageError(f"source notebook missing: {assignment.source_path}")
    try:  # the points and checks graded by must be the ones the notebook shows
        authoring.check_synced(assignment.name)
    except (authoring.AuthoringError, SpecError) as error:
        raise UsageError(str(error)) from None
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out is a file, not a folder: {args.out}")
    if args.out.resolve().is_relative_to(args.submissions.resolve()):
        raise UsageError("--out must not be inside the submissions folder")
    from autograder.cluster import scheduler_address
    scheduler = scheduler_address.find(args.scheduler)
    if scheduler:
        try:
            scheduler_address.checked(scheduler)
        except scheduler_address.AddressError as error:
            where = "--scheduler" if args.scheduler else scheduler_address.SETTING
            raise UsageError(f"{where}: {error}") from None
    if scheduler and args.jobs:
        raise UsageError("--jobs does not apply with --scheduler: each worker's --slots "
                         "says how many submissions it grades at once")
    if args.wait_for_workers and not scheduler:
        raise UsageError("--wait-for-workers applies only with --scheduler (or Dask's "
                         "scheduler-address setting)")
    if not args.no_sandbox and not scheduler:  # workers check their own (cluster.worker_task)
        try:
            bubblewrap.check_available()
        except bubblewrap.SandboxUnavailable as error:
            raise UsageError(f"cannot sandbox learners' code: {error}. Rerun with "
                             "--no-sandbox only if you trust every submission") from None

    writable = next(folder for folder in (args.out.absolute(), *args.out.absolute().parents)
                    if folder.exists())
    if not os.access(writable, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write to --out {args.out}: permission denied")

    try:  # bad input is refused before anything is graded or written
        found = intake.find(args.submissions, args.assignment)
        deadlines = lateness.deadlines(args.due, args.extensions, args.late_policy,
                                       set(found.learners))
    except (intake.IntakeError, lateness.LatenessError) as error:
        raise UsageError(str(error)) from None
    skipped_csv = args.out / intake.SKIPPED_CSV.format(assignment=args.assignment)
    intake.say_skipped(found, skipped_csv)

    db_url = args.db or gradebook.default_db_url()
    limits = Limits(cell_timeout=args.timeout, wall_seconds=args.wall,
                    memory_bytes=args.memory, disk_bytes=args.disk, max_tasks=args.tasks,
                    max_files=args.files, cgroups=not args.no_cgroups,
                    host_floor_bytes=args.host_floor, zygote=not args.no_zygote)
    record = cleanup.enter_context(journal.Journal(
        journal.journal_path(args.out, args.assignment), args.assignment,
        journal.grading_settings(assignment, limits, not args.no_sandbox),
        start_afresh=args.force and args.only is None))
    record.open(create=False)  # its lock, if the journal exists; else at the first result
    # Taken before grading: a notebook replaced while it is graded then no longer matches
    # its journal entry, and is graded again next time.
    fingerprints = {learner: journal.fingerprint(args.submissions, learner, args.assignment,
                                                 found)
                    for learner in found.learners}
    try:
        selected = selection.chosen(args.only, list(fingerprints))
    except selection.SelectionError as error:
        raise UsageError(str(error)) from None
    # --only grades its learners again, whatever the journal holds: a regrade was asked for.
    reused, reasons = ({}, {}) if args.force or args.only else record.reusable(fingerprints)
    reused, other_seed = selection.same_seed(reused, args.seed)
    if other_seed:
        reasons[f"graded with another seed than {args.seed}"] = other_seed
    if set(reasons) - {"not graded yet"} or reused:  # the journal had something to say
        others = "; ".join(f"{count} {why}" for why, count in sorted(reasons.items()))
        print(f"autograder: resumed {len(reused)} of {len(fingerprints)} results from "
              f"{record.path} (--force grades everyone again)"
              + (f"; grading the others: {others}" if others else ""), file=sys.stderr)

    def journal_result(result: Result) -> None:  # in the grading thread, at once
        if result.learner_id not in fingerprints:  # a folder added since grading began
            fingerprints[result.learner_id] = journal.fingerprint(
                args.submissions, result.learner_id, args.assignment, found)
        record.record(result, fingerprints[result.learner_id])

    # Local grading protects this machine's memory; on a cluster each worker protects its own.
    protection = (None if scheduler else
                  memory_protection.choose(limits.cgroups, limits.host_floor_bytes))
    # (On a cluster the coordinator says which workers grade, once it has asked them.)
    where = "" if scheduler else protection.describe()
    # Opening a new gradebook takes seconds (nbgrader's import, to make its schema): it
    # happens while the first notebooks run, and a gradebook that cannot be opened stops
    # the batch before any result is written.
    with ThreadPoolExecutor(max_workers=1) as checker:
        gradebook_opened = checker.submit(gradebook.check_available, db_url)
        # Said once per batch, once it is sure to run (misuse stays a one-line message):
        # which protection of the host's memory is active here, or which cluster grades.
        gradebook_opened.add_done_callback(
            lambda opened: opened.exception() or not where or print(where, file=sys.stderr))
        skip = {*reused, *(set(fingerprints) - set(selected))}
        if set(fingerprints) - skip:  # new results to write: nbgrader loads beside them
            checker.submit(lambda: gradebook_opened.exception() or gradebook.import_writer())
        shared = dict(limits=limits, use_sandbox=not args.no_sandbox, base_seed=args.seed,
                      on_progress=ProgressBar(f"grading {args.assignment}"),
                      wait_for=gradebook_opened, skip=skip, on_result=journal_result,
                      found=found,
                      keep_notebook=lambda learner, notebook: autograded_copy.keep(
                          args.out, learner, args.assignment, notebook))
        try:
            if scheduler:
                graded = _grade_on_cluster(assignment, args, scheduler, shared, record.path)
            else:
                graded = batch.grade_batch(assignment, args.submissions,
                                           jobs=args.jobs or os.cpu_count() or 1,
                                           protection=protection, **shared)
        except gradebook.GradebookUnavailable as error:
            raise UsageError(f"cannot open the gradebook {error}") from None
        finally:
            if protection is not None:
                protection.remove()

    # Everything below is written from the journal, as a re-run after a crash would be.
    learners = sorted({*reused, *(result.learner_id for result in graded)})
    kept, _ = record.reusable({learner: fingerprints[learner] for learner in learners})
    lost = [learner for learner in learners if learner not in kept]
    if lost:  # only if the journal was changed behind this process's lock
        raise RuntimeError(f"the journal {record.path} lost the results of {', '.join(lost)}")
    results = [kept[learner].result for learner in learners]
    if deadlines.due is None:  # the one nbgrader's gradebook has, if any
        deadlines.due = gradebook.due_date(db_url, args.assignment)
    results = lateness.apply_all(results, found.submissions, deadlines)

    args.out.mkdir(parents=True, exist_ok=True)
    intake.write_skipped(skipped_csv, found)
    # Every journal's rows, so that grading a subset or another assignment drops none.
    rows = class_grades.every_result(
        args.out, results, record,
        finish=lambda old: lateness.apply_all(old, found.submissions, deadlines))
    class_grades.write(args.out / "grades.csv", results, rows,
                       class_grades.grade_ids(rows, args.assignment))
    for result in results:  # one page that cannot be written must not cost the others
        try:
            handed_in = found.submissions.get(result.learner_id)
            feedback.write_feedback(args.out, result,  # a secret only from nbgrader's folder
                                    handed_in.path if handed_in and handed_in.from_exchange
                                    else None)
        except OSError as error:
            print(plain(f"autograder: warning: no feedback page for {result.learner_id}: "
                        f"{error.strerror or error}"), file=sys.stderr)
    # The whole class's, also when --only graded a few.
    class_report.write_report(args.out, args.assignment,
                              [row for row in rows if row.assignment == args.assignment])
    gradebook.record(db_url, assignment, results, deadlines=deadlines)
    full = sum(1 for result in results if result.full_marks)
    print(plain(f"graded {len(results)} submissions of {args.assignment} "  # a last guard
                f"({full} with full marks, {len(reused)} resumed from the journal) "
                f"-> {args.out / 'grades.csv'}"))
    return 0


class ClusterFailed(Exception):
    """The cluster failed part-way: str() is the one-line message (exit status 1)."""


def _grade_on_cluster(assignment, args, scheduler: str, shared: dict, journal_path: Path):
    from autograder.cluster import coordinator

    try:
        return coordinator.grade_batch_on_cluster(
            assignment, args.submissions, scheduler=scheduler,
            notice=lambda line: print(plain(f"autograder: {line}"), file=sys.stderr),
            **({"wait_seconds": args.wait_for_workers} if args.wait_for_workers else {}),
            **shared)
    except coordinator.ClusterError as error:
        raise UsageError(str(error)) from None
    except coordinator.ClusterIncomplete as error:
        raise ClusterFailed(f"{error}. The {error.graded} graded are kept in {journal_path}: "
                            "run the same command again to grade the rest") from None


def _export(args) -> int:
    from autograder import roster

    try:
        lms_export.export(args.assignment, args.format, args.out, args.db, args.roster)
    except (lms_export.ExportError, roster.RosterError) as error:
        raise UsageError(str(error)) from None
    print(f"exported {args.assignment} for {args.format} -> {args.out}")
    return 0


def _release(args) -> int:
    from autograder import release

    return release.main(args.names) or 0


def _worker(args) -> int:
    from autograder.cluster import worker_command

    try:
        return worker_command.main(args.address, args.slots, args.name, not args.no_sandbox)
    except worker_command.WorkerSetupError as error:
        raise UsageError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        commands = {"grade": _grade, "export": _export, "release": _release,
                    "worker": _worker}
        return commands[args.command](args)
    except UsageError as error:
        print(plain(f"autograder: error: {error}"), file=sys.stderr)  # paths: learners' names
        return 2
    except ClusterFailed as error:
        print(plain(f"autograder: error: {error}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nautograder: interrupted; the results judged so far are kept in the "
              "journal: the same command resumes", file=sys.stderr)
        return 130
