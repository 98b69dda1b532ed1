"""The class report (OUT/report.html), built from hand-made results: bugs ranked by how many
learners made each, their ids and book sections, the statuses that need a person, late
work, histograms with words for a screen reader, and nothing loaded from the network."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from autograder import assignments, book_sections, class_report, cli
from autograder.judging import linear_fit_bugs
from autograder.results import PartResult, Result

BOOK = "https://book.example.org/"
SIGN, FACTOR = linear_fit_bugs.VARIANTS[0], linear_fit_bugs.VARIANTS[1]
NUMPY, TF = "test_train_step_numpy", "test_train_step_tf"


def _part(grade_id, score, max_score=3.0, bugs=(), grader_error=False) -> PartResult:
    return PartResult(grade_id, score, max_score, "one step", "", grader_error,
                      bugs=[(bug.name, bug.section) for bug in bugs])


def _result(learner, parts, status="graded") -> Result:
    return Result(learner, "linear_fit", sum(p.score for p in parts),
                  sum(p.max_score for p in parts), status, parts)


def _class() -> list[Result]:
    return [
        _result("ada", [_part(NUMPY, 0, bugs=[FACTOR]), _part(TF, 3)]),
        # grace made the sign bug in both steps: one learner, counted once
        _result("grace", [_part(NUMPY, 0, bugs=[SIGN]), _part(TF, 0, bugs=[SIGN])]),
        _result("kim", [_part(NUMPY, 1, bugs=[SIGN]), _part(TF, 3)]),
        _result("lin", [_part(NUMPY, 0, bugs=[SIGN]), _part(TF, 3)],
                status="cell 6 (train_step_tf) timed out after 180 s"),
        _result("mo", [_part(NUMPY, 0), _part(TF, 0)], status="corrupt file: not JSON"),
        _result("ned", [_part(NUMPY, 3), _part(TF, 0, grader_error=True)]),
        _result("ola", [_part(NUMPY, 3), _part(TF, 3)]),
    ]


def _section(html: str, heading_id: str) -> str:
    return html.split(f'<h2 id="{heading_id}">', 1)[1].split("<h2", 1)[0]


def test_bugs_are_ranked_by_learners_with_their_ids_and_book_sections():
    ranked = class_report.ranked_bugs(_class())
    assert [(name, learners) for name, _, learners, _ in ranked] == [
        (SIGN.name, ["grace", "kim", "lin"]), (FACTOR.name, ["ada"])]
    assert ranked[0][3] == [NUMPY, TF]  # the parts it was found in
    bugs = _section(class_report.render("linear_fit", _class(), BOOK), "bugs")
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"count\">(\d+)</td>.*?</tr>", bugs, re.S)
    assert rows == [(SIGN.name, "3"), (FACTOR.name, "1")]
    href, words = book_sections.resolve(SIGN.section)
    assert f'<a href="{BOOK}{href}">' in bugs and words.split(": ")[-1] in bugs
    assert "<code>grace</code>, <code>kim</code>, <code>lin</code>" in bugs
    titles = assignments.get("linear_fit").part_titles
    assert titles[NUMPY].replace("`", "") in re.sub("</?code>", "", bugs)


def test_statuses_that_need_a_person_are_listed_and_plain_graded_ones_are_not():
    people = _section(class_report.render("linear_fit", _class(), BOOK), "attention")
    listed = re.findall(r"<tr><td><code>(\w+)</code></td><td>(.*?)</td>", people, re.S)
    # Not graded first (by status), then graded with a note or a grader error.
    assert [learner for learner, _ in listed] == ["lin", "mo", "ned"]
    assert "timed out after 180 s" in listed[0][1] and "corrupt file: not JSON" in listed[1][1]
    assert "grader error in" in listed[2][1]
    only_graded = [r for r in _class() if r.learner_id == "ola"]
    assert "without a note" in class_report.render("linear_fit", only_graded, BOOK)


def test_late_work_shows_the_penalty_of_the_results_that_carry_one():
    from datetime import datetime, timezone

    results = _class()
    results[0].raw_score, results[0].score = results[0].score, results[0].score - 1.5
    results[0].late_penalty = 1.5
    results[0].submitted_at = datetime(2026, 12, 1, 17, 42, tzinfo=timezone.utc)
    late = _section(class_report.render("linear_fit", results, BOOK), "late")
    assert re.findall(r"<code>(\w+)</code>", late) == ["ada"]
    assert "<td>2026-12-01 17:42+00:00</td><td>3</td><td>1.5</td><td>1.5 / 6</td>" in late
    assert "No submission carries" in class_report.render("linear_fit", _class(), BOOK)


@pytest.mark.parametrize("score, max_score, expected", [
    (0, 3, "0"), (0.5, 3, "under 25%"), (0.75, 3, "25% to 50%"), (1.5, 3, "50% to 75%"),
    (2.9, 3, "75% to full"), (3, 3, "full"), (0, 0, "0")])
def test_score_bins(score, max_score, expected):
    assert class_report.BINS[class_report.score_bin(score, max_score)] == expected


def test_each_histogram_is_well_formed_svg_that_says_its_counts_in_words():
    html = class_report.render("linear_fit", _class(), BOOK)
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 3  # the total and the two parts the class has results for
    titles = assignments.get("linear_fit").part_titles
    unscored = [title for grade_id, title in titles.items() if grade_id not in (NUMPY, TF)]
    note = re.sub("</?code>", "", _section(html, "distribution").split("</p>")[0])
    assert unscored and all(title.replace("`", "") in note for title in unscored)
    by_title = {}
    for svg in svgs:
        root = ElementTree.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        title, desc = root.find(f"{ns}title").text, root.find(f"{ns}desc").text
        labelled = root.get("aria-labelledby").split()
        assert root.get("role") == "img" and len(labelled) == 2
        by_title[title] = (desc, [float(bar.get("height")) for bar in root.iter(f"{ns}rect")])
    desc, heights = next(v for k, v in by_title.items() if "NumPy" in k)
    # NumPy step scores: 0 (ada, grace, lin, mo), 1/3 (kim), full (ned, ola)
    assert "0: 4; under 25%: 0; 25% to 50%: 1; 50% to 75%: 0; 75% to full: 0; full: 2" in desc
    assert heights[0] > heights[-1] > heights[2] > 0 == heights[1]


class _Tags(HTMLParser):
    """Records the tags and anything that would load or run something; checks nesting."""

    VOID = {"meta", "br"}

    def __init__(self):
        super().__init__()
        self.open, self.tags, self.problems = [], set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.problems += [f"{tag} {name}={value}" for name, value in attrs
                          if name in ("src", "srcset") or name.startswith("on")]
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):  # <line .../>
        self.tags.add(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def test_the_page_is_self_contained_html_with_escaped_learner_text():
    results = _class() + [_result("eve<script>\x1b]0;x\x07", [_part(NUMPY, 0, bugs=[SIGN])],
                                  status="kernel died <b>now</b>")]
    html = class_report.render("linear_fit", results, BOOK)
    parser = _Tags()
    parser.feed(html)
    assert parser.open == [] and not parser.problems
    assert not parser.tags & {"script", "link", "img", "iframe", "object"}
    assert "<script" not in html and "\x1b" not in html and "<b>now" not in html
    assert "eve&lt;script&gt;\\x1b" in html
    assert not re.findall(r"url\(|@import", html)  # the CSS loads nothing either


def test_a_grading_run_writes_the_report(tmp_path, capsys):
    # Corrupt notebooks: graded without running a kernel, each a status that needs a person.
    for learner in ("ada", "grace"):
        (tmp_path / "subs" / learner).mkdir(parents=True)
        (tmp_path / "subs" / learner / "linear_fit.ipynb").write_text("{not json")
    code = cli.main(["grade", "linear_fit", str(tmp_path / "subs"), "--out",
                     str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'gb.db'}"])
    assert code == 0, capsys.readouterr().err
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    people = _section(html, "attention")
    assert re.findall(r"<code>(\w+)</code></td><td>corrupt file", people) == ["ada", "grace"]


def test_the_report_is_written_again_only_when_it_changes(tmp_path):
    old = 946_684_800 * 10**9  # 2000-01-01: no write made by the test leaves this time
    path = class_report.write_report(tmp_path, "linear_fit", _class())
    os.utime(path, ns=(old, old))
    assert class_report.write_report(tmp_path, "linear_fit", _class()) == path
    assert path.stat().st_mtime_ns == old  # the same results: the page is left as it was
    handed_in_again = [_result("ada", [_part(NUMPY, 3), _part(TF, 3)]), *_class()[1:]]
    class_report.write_report(tmp_path, "linear_fit", handed_in_again)
    assert path.stat().st_mtime_ns != old
    assert "ada" not in _section(path.read_text(encoding="utf-8"), "bugs")
