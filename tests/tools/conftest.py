"""A small repository with both editions' pages, for the tools' tests (tiny_repo)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEADER = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
          "kernelspec:\n  display_name: Python 3\n  name: python3\n---\n\n")
TOC = """format: jb-book
root: book/intro
parts:
  - caption: Chapters
    chapters:
      - file: book/ch/index
        sections:
          - file: book/ch/a
          - file: book/ch/b
  - caption: Appendix
    chapters:
      - file: book/glossary
"""


def page(title: str, prose: str, code: str = "x = 1") -> str:
    return HEADER + f"# {title}\n\n{prose}\n\n```{{code-cell}} ipython3\n{code}\n```\n"


@pytest.fixture
def tiny_repo(tmp_path) -> Path:
    """_toc.yml and _config.yml (the real one), five English pages, their Chinese pages
    but book/zh-CN/ch/b.md, and the real book/zh-CN/_edition.yml."""
    (tmp_path / "_toc.yml").write_text(TOC, encoding="utf-8")
    shutil.copy(REPO / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "book" / "zh-CN").mkdir(parents=True)
    shutil.copy(REPO / "book" / "zh-CN" / "_edition.yml", tmp_path / "book" / "zh-CN")
    for key in ("intro", "ch/index", "ch/a", "ch/b", "glossary"):
        english = tmp_path / "book" / f"{key}.md"
        english.parent.mkdir(parents=True, exist_ok=True)
        english.write_text(page(key, f"Prose of {key}."), encoding="utf-8")
        if key != "ch/b":
            chinese = tmp_path / "book" / "zh-CN" / f"{key}.md"
            chinese.parent.mkdir(parents=True, exist_ok=True)
            chinese.write_text(page(key, f"{key} 的文字。"), encoding="utf-8")
    return tmp_path
