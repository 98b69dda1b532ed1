"""The message catalogue: every phrase in both languages with the same fields, every key the
grader uses present, and every status readable back into Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder import messages
from autograder.judging import linear_fit_bugs
from autograder.messages import CHINESE, ENGLISH, LANGUAGES

AUTOGRADER = Path(messages.__file__).parent
CATALOGUE = messages.catalogue()
CJK = "\u4e00-\u9fff"


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_phrase_has_both_languages_and_the_same_fields(key):
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES), f"{key}: has {sorted(entry)}"
    assert all(isinstance(text, str) and text.strip() for text in entry.values()), key
    assert messages.fields(entry[CHINESE]) == messages.fields(entry[ENGLISH]), (
        f"{key}: the Chinese fills {sorted(messages.fields(entry[CHINESE]))}, the English "
        f"{sorted(messages.fields(entry[ENGLISH]))}")


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_the_chinese_is_written_with_chinese_punctuation(key):
    # ASCII punctuation against a Chinese character reads as a machine's: "，" not ", ".
    chinese = CATALOGUE[key][CHINESE]
    found = re.findall(rf"[{CJK}][,.:;?!()]|[,:;?!(][{CJK}]|[{CJK}] [,.:;?!)]", chinese)
    assert not found, f"{key}: {found} in {chinese!r}"


def _keys_used_in_code() -> set[tuple[str, str]]:
    """(file, key) of every phrase the grader's code names by a literal key."""
    found = set()
    for path in AUTOGRADER.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for key in re.findall(r"\b(?:say|english|text)\(\s*\"([a-z_]+\.[A-Za-z0-9_.]+)\"", text):
            found.add((path.relative_to(AUTOGRADER.parent).as_posix(), key))
    return found


def test_every_key_the_grader_names_is_in_the_catalogue():
    used = _keys_used_in_code()
    assert len(used) > 100  # the scan finds the grader's phrases
    missing = sorted((file, key) for file, key in used if key not in CATALOGUE)
    assert not missing, f"phrases missing from autograder/messages.yml: {missing}"


def test_every_known_linear_fit_step_has_its_words():
    # Array parts' bugs are checked when the registry loads a spec; these are not a part's.
    for variant in (*linear_fit_bugs.VARIANTS, linear_fit_bugs.REBOUND,
                    linear_fit_bugs.NOT_THE_TAPE, linear_fit_bugs.FINITE_DIFFERENCES):
        assert variant.missing_words() == [], variant.key


@pytest.mark.parametrize("key", sorted(k for k in CATALOGUE if k.startswith("feedback.")))
def test_the_feedback_pages_words_hold_no_markup(key):
    # The page escapes them; one of them wraps markup of the page's own ("{assignment}").
    assert not re.search(r"[<>&\"']", "".join(CATALOGUE[key].values())), key


@pytest.mark.parametrize("key", sorted(k for k in CATALOGUE if k.startswith(messages.STATUS)))
def test_every_status_phrase_reads_back_into_chinese(key):
    values = {name: f"<{name}>" for name in messages.fields(CATALOGUE[key][ENGLISH])}
    english = messages.english(key, **values)
    assert messages.translated_status(english, CHINESE) == messages.text(key, CHINESE, **values)
    assert messages.translated_status(english, ENGLISH) == english


def test_a_status_is_read_back_phrase_by_phrase_and_unknown_words_are_kept():
    status = ("graded; restored edited cells: test_a, test_b; late by 2 h (due 2026-03-01 "
              "12:00 UTC, extended): -2 points (subtract:1); something else")
    assert messages.translated_status(status, CHINESE) == (
        "已评分；恢复了被改动的单元格：test_a, test_b；迟交 2 小时（截止时间 2026-03-01 12:00 UTC，"
        "已延期）：扣 2 分（subtract:1）；something else")
    # A phrase's field may hold "; " (a learner's error text): it stays in its phrase.
    assert messages.translated_status("grader error: ValueError: a; b", CHINESE) == \
        "评分程序出错：ValueError: a；b"


def test_say_speaks_the_language_of_its_block_and_english_outside_it():
    assert messages.say("stage.trajectory") == "trajectory"
    with messages.speaking(CHINESE):
        assert messages.say("stage.trajectory") == "轨迹"
        assert messages.english("stage.trajectory") == "trajectory"
    with messages.speaking("fr"):  # unknown: English
        assert messages.say("stage.trajectory") == "trajectory"
    with pytest.raises(messages.MessageError, match="no phrase 'stage.nope'"):
        messages.say("stage.nope")


@pytest.mark.parametrize("metadata, language, note", [
    ({}, ENGLISH, None),
    (None, ENGLISH, None),
    ({"ttt": {"language": "en"}}, ENGLISH, None),
    ({"ttt": {"language": "zh-CN"}}, CHINESE, None),
    ({"ttt": {"language": "fr"}}, ENGLISH, "notebook language fr unknown: feedback in English"),
    ({"ttt": {"language": ["zh-CN"]}}, ENGLISH,
     "notebook language ['zh-CN'] unknown: feedback in English"),
    ({"ttt": "zh-CN"}, ENGLISH, None),
])
def test_a_notebooks_language_is_read_from_its_metadata(metadata, language, note):
    assert messages.notebook_language(metadata) == (language, note)


def test_every_cases_name_reads_in_chinese_and_stays_as_it_is_in_english():
    from autograder.assignments import ASSIGNMENTS
    from autograder.judging.wording import case_label
    from autograder.parts import parts
    from autograder.parts.spec import ArrayPart

    names = {case.name for name in ASSIGNMENTS for part in parts(name).values()
             if isinstance(part, ArrayPart) for seed in (0, 1) for case in part.draw(seed)}
    assert len(names) > 40
    for name in names:
        assert case_label(name) == name
        with messages.speaking(CHINESE):
            shown = case_label(name)
        formula = not re.search(r"[A-Za-z]{2,}(?!\w*\()", name)
        assert (shown == name) if formula else re.search(rf"[{CJK}]", shown), (name, shown)
        sizes = re.findall(r"\d+(?!-D)", name)  # "3-D" reads 三维
        assert set(sizes) <= set(re.findall(r"\d+", shown)), (name, shown)


def test_the_language_of_a_notebook_that_does_not_parse_is_read_from_its_text():
    from autograder.messages import language_in_text

    said = '{"cells": [ broken , "metadata": {"ttt": {\n  "language": "zh-CN"\n }}}'
    assert language_in_text(said) == CHINESE
    assert language_in_text(said.replace("zh-CN", "fr")) == ENGLISH  # not one we speak
    chinese_prose = '{"cells": [{"source": "' + "张量的形状与数据类型。" * 30 + '"'
    assert language_in_text(chinese_prose) == CHINESE  # the metadata cut off with the end
    comments = '{"cells": [{"source": "x = 1  # 注释：形状"}, ' * 5
    assert language_in_text(comments) == ENGLISH
