"""tools/translations.py: the sync command's states, `mark`, and its command line, on a
small repository (conftest.tiny_repo: ch/b has no Chinese page)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import translations

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "translations.py"


def states(repo) -> dict[str, str]:
    return {row.key: row.state for row in translations.status(repo)}


def test_a_new_translation_is_not_marked_and_a_missing_one_is_missing(tiny_repo):
    assert states(tiny_repo) == {"intro": "not marked", "ch/index": "not marked",
                                 "ch/a": "not marked", "ch/b": "missing",
                                 "glossary": "not marked"}


def test_mark_then_change_the_english_prose(tiny_repo):
    translations.mark(["ch/a", "book/zh-CN/intro.md", "book/glossary.md"], tiny_repo)
    assert states(tiny_repo)["ch/a"] == states(tiny_repo)["intro"] == "up to date"
    assert states(tiny_repo)["glossary"] == "up to date"
    english = tiny_repo / "book" / "ch" / "a.md"
    english.write_text(english.read_text().replace("Prose of ch/a.", "New prose."))
    assert states(tiny_repo)["ch/a"] == "prose changed"
    translations.mark(["ch/a"], tiny_repo)  # re-translated
    assert states(tiny_repo)["ch/a"] == "up to date"


def test_a_code_change_is_code_drift_not_prose_drift(tiny_repo):
    translations.mark(["ch/a"], tiny_repo)
    english = tiny_repo / "book" / "ch" / "a.md"
    english.write_text(english.read_text().replace("x = 1", "x = 2"))
    (row,) = [row for row in translations.status(tiny_repo) if row.key == "ch/a"]
    assert row.state == "code differs"
    assert row.details == ("cell 2 (code cell 1): its code differs from the English page's "
                           "(line 1: 'x = 1' instead of 'x = 2')",)
    # The prose did not change: once the Chinese page has the new code, it is up to date.
    chinese = tiny_repo / "book" / "zh-CN" / "ch" / "a.md"
    chinese.write_text(chinese.read_text().replace("x = 1", "x = 2"))
    assert states(tiny_repo)["ch/a"] == "up to date"


def test_the_record_is_one_small_file_of_keys_and_hashes(tiny_repo):
    translations.mark(["ch/index", "intro"], tiny_repo)
    lines = [line for line in translations.record_path(tiny_repo).read_text().splitlines()
             if not line.startswith("#")]
    assert [line.split()[0] for line in lines] == ["ch/index", "intro"]
    assert all(len(line.split()[1]) == 64 for line in lines)


def test_marking_what_cannot_be_marked_says_why(tiny_repo):
    with pytest.raises(FileNotFoundError, match="ch/b: there is no Chinese page"):
        translations.mark(["ch/b"], tiny_repo)
    with pytest.raises(KeyError, match="nowhere: not a page of _toc.yml"):
        translations.mark(["nowhere"], tiny_repo)


def test_the_command_line(tiny_repo, capsys):
    assert translations.main(["mark", "--all"], tiny_repo) == 0
    assert "marked 4 page(s)" in capsys.readouterr().out
    assert translations.main(["status"], tiny_repo) == 0
    out = capsys.readouterr().out
    assert "up to date     ch/a" in out and "missing        ch/b" in out
    assert "5 pages: 4 up to date, 1 missing" in out
    assert translations.main(["mark", "nowhere"], tiny_repo) == 1


def test_the_script_runs_on_the_repository():
    result = subprocess.run([sys.executable, str(SCRIPT), "status"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert "pages:" in result.stdout.splitlines()[-1]


def test_a_damaged_record_is_one_line_naming_its_line(tiny_repo, capsys):
    translations.mark(["intro"], tiny_repo)
    path = translations.record_path(tiny_repo)
    path.write_text(path.read_text() + "ch/index\n")  # a key without its hash
    assert translations.main(["status"], tiny_repo) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("translations: ")
    assert f"{path}:" in said[0] and "expected a page key and a hash, found 'ch/index'" in said[0]
