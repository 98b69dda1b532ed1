"""ttt.labels: the one table of the words ttt shows, in English and Chinese.

Every entry has both languages with the same fields; every word the helpers draw and the
explorers and the set-up cell write comes from it (found in their sources, and read back
from what they draw); no entry is dead; one language of a pair can be kept; a figure's
words are translated as a whole or piece by piece, with math, code and names left alone.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from ttt import labels
from ttt.labels import CHINESE, ENGLISH, TABLE, Text, say

REPO = Path(__file__).resolve().parents[2]
TTT = REPO / "book" / "ttt"
from ttt.labels import CJK  # noqa: E402
CHINESE_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # or its punctuation


# --- the table ---------------------------------------------------------------------------

@pytest.mark.parametrize("english", sorted(TABLE))
def test_every_entry_has_both_languages_with_the_same_fields(english):
    chinese = TABLE[english]
    assert english.strip() and chinese.strip()
    assert not CJK.search(english), english
    assert CHINESE_TEXT.search(chinese), f"{english!r}: its Chinese {chinese!r} is not"
    assert sorted(labels.fields(english)) == sorted(labels.fields(chinese)), english
    assert english == labels._without_specs(english)[0], "keys carry no format specs"
    filled = chinese.format(**{name: "0" for name in labels.fields(chinese)})
    assert not labels.untranslated(filled), (english, labels.untranslated(filled))


def source_strings() -> list[str]:
    """Every string literal of ttt's modules and of the English pages' code cells, an
    f-string's fields written as {...}."""
    import jupytext

    sources = [path.read_text(encoding="utf-8") for path in TTT.glob("*.py")]
    for page in (REPO / "book").rglob("*.md"):
        if "zh-CN" not in page.parts and "_vendor" not in page.parts:
            notebook = jupytext.read(page, fmt="md:myst")
            sources += [cell.source for cell in notebook.cells if cell.cell_type == "code"
                        and not cell.source.lstrip().startswith(("%", "!"))]
    strings = []
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append(node.value)
            elif isinstance(node, ast.JoinedStr):
                strings.append("".join(part.value if isinstance(part, ast.Constant) else "{...}"
                                       for part in node.values))
    return strings


@pytest.fixture(scope="module")
def strings():
    return source_strings()


@pytest.mark.parametrize("english", sorted(TABLE))
def test_no_entry_is_dead(english, strings):
    """Each entry is written somewhere: in ttt or in a page's code (a field stands for an
    f-string's field or a number there)."""
    literal = [re.escape(text) for text, _, _, _ in string.Formatter().parse(english)]
    pattern = re.compile(r"(?<![A-Za-z])" + r"(?:\{[^{}]*\}|[-\d.,]+|.+?)".join(literal)
                         + r"(?![A-Za-z])", re.S)
    assert any(pattern.search(text) for text in strings), f"{english!r} is used nowhere"


def calls_to(function: str, path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == function]


@pytest.mark.parametrize("module", ["explorers.py", "setup_cell.py"])
def test_every_literal_said_is_in_the_table(module):
    said = [call.args[0] for call in calls_to("say", TTT / module)]
    assert said, module
    for argument in said:
        if isinstance(argument, ast.Constant):
            key = labels._without_specs(argument.value)[0]
            assert key in TABLE, f"{module}: say({argument.value!r}) has no entry"


def test_the_set_up_cells_messages_are_entries():
    from ttt import setup_cell

    assert all(message in TABLE for message in setup_cell.MESSAGES.values())


# --- Text: both languages, and keeping one --------------------------------------------------

def test_say_fills_both_languages_with_the_codes_format_specs():
    text = say("W = {W:g}, b = {b:g}: loss {loss} ({verdict}; the least-squares line "
               "W = {best_W:.2f}, b = {best_b:.2f} reaches {floor}).", W=5.0, b=0.0,
               loss="12.3", verdict=say("{ratio} times the floor", ratio="3.1"), best_W=3.014,
               best_b=1.987, floor="1.02")
    assert text.en == ("W = 5, b = 0: loss 12.3 (3.1 times the floor; the least-squares "
                       "line W = 3.01, b = 1.99 reaches 1.02).")
    assert text.zh.startswith("W = 5，b = 0：损失 12.3（是下限的 3.1 倍；")
    assert "W = 3.01，b = 1.99" in text.zh


def test_a_template_without_an_entry_is_refused_by_name():
    with pytest.raises(labels.MissingTranslation, match="no Chinese for 'frobnicate'"):
        say("frobnicate")


def test_texts_join_and_concatenate_in_each_language():
    a, b = say("stable"), say("divergent")
    assert Text(", ", "，").join([a, b]) == Text("stable, divergent", "稳定，发散")
    assert ("<b>" + a + "</b>") == Text("<b>stable</b>", "<b>稳定</b>")
    assert labels.sentences(say("at the floor"), say("unstable")) == Text(
        "at the floor unstable", "已在下限不稳定")


def test_html_marks_each_language_and_keep_leaves_one():
    text = say("loss = {loss}", loss="1.5").map(lambda words: f"<p>{words}</p>")
    both = "<div>" + text.html(block=True) + "<img src='x'></div>"
    assert 'lang="en"' in both and 'lang="zh-CN" hidden' in both
    assert labels.keep(both, ENGLISH) == "<div><p>loss = 1.5</p><img src='x'></div>"
    assert labels.keep(both, CHINESE) == "<div><p>损失 = 1.5</p><img src='x'></div>"
    assert labels.keep(labels.keep(both, CHINESE), ENGLISH) == labels.keep(both, CHINESE)
    inline = say("stable").html()
    assert inline.startswith("<span") and labels.keep(inline, CHINESE) == "稳定"
    assert Text("W", "W").html() == "W", "the same in both: written once"
    with pytest.raises(ValueError, match="language"):
        labels.keep(both, "fr")
    with pytest.raises(ValueError, match="must not contain </span>"):
        Text("<span>a</span>", "甲").html()


# --- translating a figure's words ---------------------------------------------------------

@pytest.mark.parametrize("english, chinese", [
    ("data", "数据"),
    ("start: W=5.00, b=0.00", "起点：W=5.00，b=0.00"),  # a template, its field translated
    ("learning rate 0.3: stable", "学习率 0.3：稳定"),
    ("gradient descent, rate 0.9", "梯度下降，学习率 0.9"),
    ("flat direction\n(λ_min)", "平坦方向\n(λ_min)"),  # a phrase inside longer text
    ("$W_1$ (steep)", "$W_1$ (陡峭)"),  # math is left alone
    ("NumPy: W", "NumPy: W"),  # names and symbols too
    ("network after 200 steps", "200 步之后的网络"),
    ("rate 0.5 (0.53·2/λ_max)", "学习率 0.5（0.53·2/λ_max）"),
])
def test_translate_finds_templates_whole_and_inside(english, chinese):
    assert labels.translate(english) == chinese
    assert labels.translate(english, ENGLISH) == english


def test_untranslated_names_the_english_words_left():
    assert labels.untranslated(labels.translate("start and frobnicate")) == ["and", "frobnicate"]
    assert labels.untranslated("$\\mathrm{loss}$ <code>reduce_mean(x)</code> float64 λ_max") == []
    assert labels.require("learning rate") == "learning rate"
    with pytest.raises(labels.MissingTranslation, match="frobnicate"):
        labels.require("frobnicate now")


def test_the_fingerprint_follows_the_table(monkeypatch):
    before = labels.fingerprint()
    monkeypatch.setitem(TABLE, "frobnicate", "摆弄")
    assert labels.fingerprint() != before


def test_every_language_is_asked_for_by_the_environment(monkeypatch):
    monkeypatch.delenv(labels.EVERY_LANGUAGE, raising=False)
    assert not labels.every_language()
    monkeypatch.setenv(labels.EVERY_LANGUAGE, "1")
    assert labels.every_language()
