"""A small repository with both editions' pages, for the tools' tests (tiny_repo)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from myst_pages import page

REPO = Path(__file__).resolve().parents[2]
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
