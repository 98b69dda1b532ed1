"""A learner's answers graded in either language's variant: the same grade ids and scores,
and feedback in the notebook's language (the instructor's outputs stay English)."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder import batch, feedback, parts, verdict
from autograder.assignments import get
from autograder.messages import CHINESE, ENGLISH, speaking
from autograder.results import PartResult, Result
from autograder.sandbox.limits import Limits
from autograder.submission import prepare
from notebooks import FILES
from test_exercise_translations import _answers, _release
import reports

SEED = 3
LIMITS = Limits(cell_timeout=90, wall_seconds=400)
TRANSPOSED = (FILES / "tensors" / "pairwise_squared_distances" / "transposed.py").read_text()


def _hand_in(folder, language, replaced=None, metadata=None):
    """A learner's tensors notebook: the variant of ``language`` with answers typed in."""
    notebook = _release("tensors", None if language == ENGLISH else language)
    answers = _answers("tensors", replaced)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata.nbgrader.get("solution"):
            cell.source = answers[grade_id]
    if metadata is not None:
        notebook.metadata["ttt"] = metadata
    folder.mkdir(parents=True)
    path = folder / "tensors.ipynb"
    path.write_text(json.dumps(json.loads(nbformat.writes(notebook)), ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_prepare_reads_the_language_and_takes_a_chinese_test_cell_as_unedited(tmp_path):
    source = get("tensors").source
    chinese = prepare(_hand_in(tmp_path / "zh", CHINESE), source)
    assert (chinese.language, chinese.notes) == (CHINESE, [])
    english = prepare(_hand_in(tmp_path / "en", ENGLISH), source)
    assert (english.language, english.notes) == (ENGLISH, [])
    # The code that runs is the same for both: the instructor's tests, the learner's answers.
    assert [c.source for c in chinese.notebook.cells if c.cell_type == "code"] == \
        [c.source for c in english.notebook.cells if c.cell_type == "code"]
    unknown = prepare(_hand_in(tmp_path / "fr", CHINESE, metadata={"language": "fr"}), source)
    assert (unknown.language, unknown.notes) == (
        ENGLISH, ["notebook language fr unknown: feedback in English"])


def test_an_old_journal_line_without_a_language_reads_as_english():
    result = Result("ada", "tensors", 3.0, 8.0, "graded",
                    [PartResult("test_softmax_rows", 3.0, 3.0, "passed", "ok")],
                    language=CHINESE)
    data = result.to_dict()
    assert Result.from_dict(data).language == CHINESE
    del data["language"]
    assert Result.from_dict(data).language == ENGLISH
    with pytest.raises(ValueError, match="language must be one of en, zh-CN"):
        Result.from_dict({**data, "language": "fr"})


def _judged(language: str) -> PartResult:
    spec = parts.part("tensors", "pairwise_squared_distances")
    bug = next(bug for bug in spec.bugs if bug.key == "distances_transposed")
    with speaking(language):
        return verdict.judge_record("tensors", reports.array_record(spec, SEED, bug), SEED)


def test_a_named_bug_is_worded_in_chinese_and_counted_in_english():
    english, chinese = _judged(ENGLISH), _judged(CHINESE)
    assert (chinese.score, chinese.stage, chinese.bugs) == (
        english.score, english.stage, english.bugs)
    assert english.bugs == [("rows and columns swapped",
                             "tensors/broadcasting.md#the-broadcasting-rule")]
    assert "Bug: rows and columns swapped" in english.message
    assert "错误：行和列互换了。元素 [i, j] 对应 a[i] 和 b[j]" in chinese.message
    assert "Bug:" not in chinese.message


def test_the_chinese_feedback_page_speaks_chinese():
    status = "graded; restored edited cells: test_softmax_rows"
    result = Result("ada", "tensors", 0.0, 8.0, status, [_judged(CHINESE)],
                    ["Code cell 4 (`x = 1`): ValueError: bad"], language=CHINESE)
    page = feedback.render(result, book_url="https://books.example.edu/ttt/")
    assert '<html lang="zh-CN">' in page
    assert "<p>状态：已评分；恢复了被改动的单元格：test_softmax_rows</p>" in page
    assert "第 2 部分：所有点对之间的距离平方" in page and "行和列互换了" in page
    assert "<summary>查看修正方法</summary>" in page
    assert ('<a href="https://books.example.edu/ttt/zh-CN/tensors/broadcasting.html">'
            "广播与归约：广播规则</a>") in page
    assert "运行你的笔记本时出现的错误" in page
    for english in ("Status:", "Show the fix", "Read in the book", "What we found", "Bug:"):
        assert english not in page


@pytest.mark.slow
@pytest.mark.sandbox
def test_one_learners_answers_earn_the_same_in_either_language(tmp_path):
    _hand_in(tmp_path / "ada_en", ENGLISH)
    _hand_in(tmp_path / "ada_zh", CHINESE)
    _hand_in(tmp_path / "bo_en", ENGLISH, {"pairwise_squared_distances": TRANSPOSED})
    _hand_in(tmp_path / "bo_zh", CHINESE, {"pairwise_squared_distances": TRANSPOSED})
    results = {result.learner_id: result for result in batch.grade_batch(
        "tensors", tmp_path, jobs=2, limits=LIMITS, base_seed=SEED)}
    for learner in ("ada", "bo"):
        english, chinese = results[f"{learner}_en"], results[f"{learner}_zh"]
        assert (english.language, chinese.language) == (ENGLISH, CHINESE)
        # The instructor's record is one: scores, stages, bugs and status alike.
        assert [(p.grade_id, p.score, p.stage, p.bugs) for p in chinese.parts] == \
            [(p.grade_id, p.score, p.stage, p.bugs) for p in english.parts]
        assert (chinese.score, chinese.status) == (english.score, english.status) == (
            chinese.score, "graded")
    assert results["ada_zh"].score == results["ada_zh"].max_score == 8.0
    bo = {p.grade_id: p for p in results["bo_zh"].parts}["test_pairwise_squared_distances"]
    assert bo.score == 0.0 and "错误：行和列互换了" in bo.message
    page = feedback.render(results["bo_zh"])
    assert "行和列互换了" in page and "状态：已评分" in page and "Bug:" not in page
    assert "Bug: rows and columns swapped" in feedback.render(results["bo_en"])


def test_an_unreadable_chinese_notebook_gets_its_feedback_in_chinese(tmp_path):
    # Cut short (a failed upload): no longer JSON, but its text still says its language.
    for learner, language in (("ada", CHINESE), ("grace", ENGLISH)):
        path = _hand_in(tmp_path / learner, language)
        path.write_text(path.read_text(encoding="utf-8")[:-400], encoding="utf-8")
    results = {r.learner_id: r for r in batch.grade_batch("tensors", tmp_path, jobs=1,
                                                          use_sandbox=False)}
    for learner, language in (("ada", CHINESE), ("grace", ENGLISH)):
        result = results[learner]
        assert result.status.startswith("corrupt file: invalid JSON"), result.status
        assert result.language == language
    page = feedback.render(results["ada"], book_url="https://books.example.edu/ttt/")
    assert '<html lang="zh-CN">' in page and "状态：" in page and "Status:" not in page
