"""Due dates, extensions and late penalties (autograder.lateness), and the grading command's
refusals of bad deadline input: no notebook runs here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from autograder import cli, lateness
from autograder.lateness import Deadlines, LatenessError, Policy
from autograder.results import Result

UTC = timezone.utc
DUE = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, moment", [
    ("2026-12-01T17:00", DUE),
    ("2026-12-01T18:00+01:00", DUE),
    ("2026-12-01T17:00Z", DUE),
    ("2026-12-01 17:00:00.000000 UTC", DUE),  # nbgrader's timestamp.txt
    ("2026-12-01 18:00:00 +0100", DUE),
    ("2026-12-01 18:00:00 Europe/Berlin", DUE),  # CET in December
])
def test_times_in_iso_and_nbgrader_form(text, moment):
    assert lateness.parse_time(text) == moment


@pytest.mark.parametrize("text", ["yesterday", "", "17:00", "2026-12-01 17:00 Mars/Olympus",
                                  "2026-13-01T17:00", "2026-12-01T17:00+01:00 UTC"])
def test_what_is_not_a_time(text):
    with pytest.raises(LatenessError):
        lateness.parse_time(text)


def test_policies():
    assert lateness.parse_policy("none") == Policy("none")
    assert lateness.parse_policy("zero") == Policy("zero")
    assert lateness.parse_policy("subtract:0.5") == Policy("subtract", 0.5)
    for bad in ("subtract", "subtract:-1", "subtract:0", "half", "subtract:1h"):
        with pytest.raises(LatenessError, match="expected none, zero or subtract"):
            lateness.parse_policy(bad)


@pytest.mark.parametrize("seconds, expected", [
    (0, 0.0), (-5, 0.0),  # on time, early
    (1, 1.5), (3600, 1.5),  # within the first started hour
    (3601, 3.0), (2 * 3600 + 1, 4.5),
    (100 * 3600, 8.0),  # capped at the score
])
def test_subtract_charges_each_started_hour_capped_at_the_score(seconds, expected):
    assert lateness.penalty(Policy("subtract", 1.5), 8.0, seconds) == expected


def test_zero_and_none_agree_with_nbgraders_own_plugin():
    from nbgrader.plugins import LateSubmissionPlugin

    for method in ("none", "zero"):
        theirs = LateSubmissionPlugin(penalty_method=method).late_submission_penalty(
            "ada", 7.5, 60.0)
        assert lateness.penalty(Policy(method), 7.5, 60.0) == (theirs or 0.0)


def _result(score=8.0, learner="ada") -> Result:
    return Result(learner, "linear_fit", score, 10.0, "graded", [])


def test_a_late_result_keeps_its_raw_score_and_says_why():
    late = lateness.apply(_result(), DUE + timedelta(hours=2, minutes=5), "timestamp.txt",
                          None, Deadlines(DUE, {}, Policy("subtract", 1)))
    assert (late.raw_score, late.late_penalty, late.score) == (8.0, 3.0, 5.0)
    assert late.status == ("graded; late by 2 h 5 min (due 2026-12-01 17:00 UTC): "
                           "-3 points (subtract:1)")


def test_on_time_with_an_extension_and_the_time_source_is_said():
    deadlines = Deadlines(DUE, {"ada": DUE + timedelta(days=2)}, Policy("zero"))
    kept = lateness.apply(_result(), DUE + timedelta(days=1),
                          "the file's modification time", None, deadlines)
    assert (kept.raw_score, kept.late_penalty, kept.score) == (8.0, 0.0, 8.0)
    assert kept.status == "graded; time from the file's modification time"
    # Without the extension the same learner is late, and zero takes everything.
    late = lateness.apply(_result(learner="bob"), DUE + timedelta(days=1),
                          "timestamp.txt", None, deadlines)
    assert (late.late_penalty, late.score) == (8.0, 0.0)
    assert "late by 1 d (due 2026-12-01 17:00 UTC): -8 points (zero)" in late.status
    extended = lateness.apply(_result(), DUE + timedelta(days=3), "timestamp.txt", None,
                              deadlines)
    assert "(due 2026-12-03 17:00 UTC, extended)" in extended.status


def test_no_due_date_changes_nothing_but_canvas_late_flag_counts():
    plain = lateness.apply(_result(), DUE, "timestamp.txt", None,
                           Deadlines(None, {}, Policy("zero")))
    assert (plain.score, plain.late_penalty, plain.status) == (8.0, 0.0, "graded")
    flagged = lateness.apply(_result(), DUE, "the file's modification time", True,
                             Deadlines(None, {}, Policy("subtract", 2)))
    assert (flagged.raw_score, flagged.late_penalty, flagged.score) == (8.0, 2.0, 6.0)
    assert "marked LATE by the LMS" in flagged.status
    on_time = lateness.apply(_result(), DUE + timedelta(days=9), "x", False,
                             Deadlines(DUE, {}, Policy("zero")))
    assert on_time.score == 8.0  # the LMS said on time: its own due dates decide


def test_results_round_trip_their_lateness_and_read_old_journal_lines():
    late = lateness.apply(_result(), DUE + timedelta(minutes=1), "timestamp.txt", None,
                          Deadlines(DUE, {}, Policy("subtract", 1)))
    data = late.to_dict()
    assert Result.from_dict(data) == late
    del data["raw_score"], data["late_penalty"]  # a line written before lateness existed
    old = Result.from_dict(data)
    assert (old.raw_score, old.late_penalty) == (None, 0.0)


def _extensions(tmp_path, text: str):
    path = tmp_path / "extensions.csv"
    path.write_text(text)
    return path


def test_an_extensions_file(tmp_path):
    path = _extensions(tmp_path, "learner_id,due\nada,2026-12-03T17:00\n\nbob,2026-12-02 "
                                 "09:00:00 UTC\n")
    assert lateness.read_extensions(path, {"ada", "bob", "cy"}) == {
        "ada": DUE + timedelta(days=2), "bob": datetime(2026, 12, 2, 9, tzinfo=UTC)}


@pytest.mark.parametrize("text, message", [
    ("learner,date\nada,2026-12-03T17:00\n",
     "line 1: expected the header learner_id,due, found 'learner,date'"),
    ("", "line 1: expected the header learner_id,due, found 'an empty file'"),
    ("learner_id,due\nada,next friday\n",
     "line 2: expected a due date like 2026-12-01T17:00 or 2026-12-01T17:00+01:00, "
     "found 'next friday'"),
    ("learner_id,due\nada,2026-12-03T17:00\nzed,2026-12-03T17:00\n",
     "line 3: unknown learner 'zed': expected one of the learners in SUBMISSIONS"),
    ("learner_id,due\nada,2026-12-03T17:00\nada,2026-12-04T17:00\n",
     "line 3: learner 'ada' is listed twice"),
    ("learner_id,due\nada,2026-12-03T17:00,extra\n", "line 2: expected 2 columns"),
])
def test_a_bad_extensions_file_names_the_file_line_and_what_was_expected(tmp_path, text,
                                                                         message):
    path = _extensions(tmp_path, text)
    with pytest.raises(LatenessError) as raised:
        lateness.read_extensions(path, {"ada", "bob"})
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)


# -- the command refuses bad deadline input before grading or writing anything ----------

def _class(tmp_path):
    folder = tmp_path / "subs" / "ada" / "linear_fit"
    folder.mkdir(parents=True)
    (folder / "linear_fit.ipynb").write_text("{}")


# A learner's timestamp.txt that is not a time is theirs, not misuse: test_hostile_intake.py.
@pytest.mark.parametrize("extra, message", [
    (["--due", "2026-12-32T17:00"],
     "argument --due: invalid due date '2026-12-32T17:00': expected a date like"),
    (["--late-policy", "subtract:lots"],
     "argument --late-policy: invalid late policy 'subtract:lots'"),
    (["--extensions", "{ext}"], "extensions.csv: line 2: unknown learner 'zed'"),
])
def test_bad_deadline_input_is_one_line_and_exit_status_2(tmp_path, capsys, extra, message):
    _class(tmp_path)
    ext = _extensions(tmp_path, "learner_id,due\nzed,2026-12-03T17:00\n")
    code = cli.main(["grade", "linear_fit", str(tmp_path / "subs"), "--out",
                     str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'gb.db'}",
                     "--no-sandbox", *(a.format(ext=ext) for a in extra)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("autograder: error: ") and err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "gb.db").exists()
