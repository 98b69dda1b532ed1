"""The exercises in Chinese: every cell translated from the English there is now, and each
released variant the English release with other words and nothing else."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
from nbgrader.utils import compute_checksum

from autograder import exercise_translations as translations
from autograder import parts
from autograder.assignments import ASSIGNMENTS, get
from autograder.exercise_translations import TRANSLATED, Entry
from autograder.messages import CHINESE
from autograder.submission import code_without_messages, grade_id_of, is_answer
from notebooks import FILES, run_visible_checks, with_solutions


def _points(name: str) -> dict[int, float]:
    return {spec.number: spec.points for spec in parts.parts(name).values()}


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_cell_is_translated_from_the_english_there_is_now(name, language):
    problems = translations.problems(name, language, get(name).source, _points(name))
    assert problems == [], "\n".join(problems)


def _tensors_source():
    return copy.deepcopy(get("tensors").source)


def _cell(notebook, cell_id):
    return next(cell for cell in notebook.cells if cell.get("id") == cell_id)


def test_a_changed_english_cell_is_named_as_stale_and_stays_english_in_the_variant():
    source = _tensors_source()
    _cell(source, "softmax-heading").source += " Mind the axis."
    _cell(source, "test_softmax_rows").source += "\nassert True, \"one more check\""
    problems = translations.problems("tensors", CHINESE, source, _points("tensors"))
    assert [line.split(": stale")[0] for line in problems] == [
        "solutions/tensors/zh-CN.yml: cell 'softmax-heading'",
        "solutions/tensors/zh-CN.yml: cell 'test_softmax_rows'"]
    released = nbformat.read(get("tensors").release_path, as_version=4)
    _cell(released, "softmax-heading").source += " Mind the axis."
    chinese = translations.variant(released, "tensors", CHINESE)
    assert _cell(chinese, "softmax-heading").source.endswith(" Mind the axis.")
    assert _cell(chinese, "replace-heading").source.startswith("## 第 3 部分")


def test_a_new_cell_and_a_lost_heading_are_named():
    source = _tensors_source()
    source.cells.insert(3, nbformat.v4.new_markdown_cell("A new remark.", id="remark"))
    problems = translations.problems("tensors", CHINESE, source, {**_points("tensors"), 3: 5})
    assert problems[0].startswith("solutions/tensors/zh-CN.yml: cell 'remark': no translation "
                                  "(its English has en_hash ")
    assert problems[1] == ("solutions/tensors/zh-CN.yml: no heading of part 3 worth 5 points, "
                           "like '## 第 3 部分：<标题>（5 分）'")


def test_a_translation_may_change_a_checks_words_only(monkeypatch):
    source = _tensors_source()
    test = _cell(source, "test_pairwise_squared_distances")
    english = translations.visible(test)
    found = dict(translations.entries("tensors", CHINESE))
    rigged = [('"return a tf.Tensor"', '"请返回 tf.Tensor" or True')]  # a check undone
    found[test.id] = Entry(translations.fingerprint(english), strings=tuple(
        pair for pair in found[test.id].strings if pair[0] != '"return a tf.Tensor"') + tuple(
        rigged))
    monkeypatch.setattr(translations, "entries", lambda name, language: found)
    problems = translations.problems("tensors", CHINESE, source, _points("tensors"))
    assert problems == ["solutions/tensors/zh-CN.yml: cell 'test_pairwise_squared_distances': "
                        "the translated checks must be the English ones with other messages "
                        "(only string literals may change)"]
    released = nbformat.read(get("tensors").release_path, as_version=4)
    chinese = translations.variant(released, "tensors", CHINESE)
    assert _cell(chinese, test.id).source == _cell(released, test.id).source  # kept English


def _release(name, language=None):
    path = get(name).variant_path(language) if language else get(name).release_path
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_variant_is_the_english_release_with_other_words(name, language):
    english, other = _release(name), _release(name, language)
    assert other.metadata == {**english.metadata, "ttt": {"language": language}}
    assert [(c.id, c.cell_type) for c in other.cells] == \
        [(c.id, c.cell_type) for c in english.cells]
    for mine, theirs in zip(english.cells, other.cells):
        graded = mine.metadata.get("nbgrader", {})
        if mine.cell_type == "markdown":
            assert theirs.source != mine.source, f"{name}: cell {mine.id} is not translated"
            assert theirs.metadata == mine.metadata
        elif graded.get("grade") and not graded.get("solution"):
            # A test cell: its checks, grade id and points are the English ones; its
            # checksum is nbgrader's own for what it holds, so `nbgrader validate` is content.
            assert code_without_messages(theirs.source) == code_without_messages(mine.source)
            assert {k: v for k, v in theirs.metadata.nbgrader.items() if k != "checksum"} == \
                {k: v for k, v in graded.items() if k != "checksum"}
            assert theirs.metadata.nbgrader.checksum == compute_checksum(theirs)
        else:  # answer, locked and set-up cells: byte for byte
            assert (theirs.source, theirs.metadata) == (mine.source, mine.metadata), mine.id


def _answers(name: str, replaced: dict[str, str] | None = None) -> dict[str, str]:
    answers = {grade_id_of(cell): cell.source for cell in get(name).source.cells
               if is_answer(cell) and grade_id_of(cell)}
    return {**answers, **(replaced or {})}


def _learner(notebook, answers: dict[str, str]) -> dict:
    """The released notebook as a learner runs it, answers typed in (the set-up cell left
    out: this process has the book's ttt)."""
    data = json.loads(nbformat.writes(notebook))
    data["cells"] = [cell for cell in data["cells"] if cell.get("id") != "ttt-setup"]
    return with_solutions(data, answers)


@pytest.mark.slow
def test_the_chinese_visible_checks_speak_chinese(capsys):
    chinese = _release("tensors", CHINESE)
    assert set(run_visible_checks(_learner(chinese, _answers("tensors"))).values()) == {None}
    assert capsys.readouterr().out.count("可见检查全部通过。") == 3
    numpy_result = (FILES / "tensors" / "pairwise_squared_distances" / "numpy_result.py")
    wrong = _answers("tensors", {"pairwise_squared_distances": numpy_result.read_text()})
    failures = run_visible_checks(_learner(chinese, wrong))
    assert failures["test_pairwise_squared_distances"] == "AssertionError: 请返回 tf.Tensor"
    english = run_visible_checks(_learner(_release("tensors"), wrong))
    assert english["test_pairwise_squared_distances"] == "AssertionError: return a tf.Tensor"


def test_a_translation_file_that_is_not_yaml_is_named_with_its_line(tmp_path, monkeypatch):
    broken = tmp_path / "solutions" / "tensors" / f"{CHINESE}.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("cell-a:\n  en_hash: abc\n  text: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(translations, "REPO_ROOT", tmp_path)
    translations.entries.cache_clear()
    try:
        with pytest.raises(translations.TranslationError) as refused:
            translations.entries("tensors", CHINESE)
    finally:
        translations.entries.cache_clear()
    said = str(refused.value)
    assert said.startswith(f"solutions/tensors/{CHINESE}.yml: line ") and "not valid YAML" in said
    assert "\n" not in said
