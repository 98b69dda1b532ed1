"""The language switch (book/_ext/language_switch.py).

On a two-page fixture book (files/switch_book/) built with a made-up table of editions: a
page the other edition lacks fails the strict build, naming the page; allowed (while
translators work), it links to the other edition's front page; links are relative to the
page. On the built book (`make book`), in both editions: every page, search and the
general index included, has one switch, and it leads to the same page in the other
edition, whose switch leads back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

import editions

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "files" / "switch_book"
HTML = Path(os.environ.get("TTT_BOOK_HTML", REPO / "_build" / "html"))
SWITCH = "a.ttt-language-switch"
EN, ZH = editions.english(), editions.chinese()


def switch_table(zh_keys: list[str], allow_missing: bool = False) -> dict:
    return {"this": "en", "allow_missing": allow_missing, "editions": [
        {"code": "en", "label": "English", "html": "", "docname_prefix": "",
         "keys": ["index", "chapter/other"]},
        {"code": "zh-CN", "label": "简体中文", "html": "zh-CN", "docname_prefix": "",
         "keys": zh_keys}]}


def build_fixture(out: Path, table: dict) -> subprocess.CompletedProcess:
    """The fixture book, built strictly (warnings are errors, keep going) into `out`."""
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from jupyter_book.sphinx import build_sphinx\n"
        "source, out, table = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])\n"
        "result = build_sphinx(source, out / 'html', noconfig=True,\n"
        "    path_config=source / '_config.yml', confoverrides={\n"
        "        'external_toc_path': (source / '_toc.yml').as_posix(),\n"
        "        'latex_individualpages': False, 'ttt_language_switch': table},\n"
        "    warningiserror=True, keep_going=True)\n"
        "sys.exit(1 if isinstance(result, Exception) else result)\n")
    return subprocess.run([sys.executable, "-c", script, str(FIXTURE), str(out),
                           json.dumps(table)], capture_output=True, text=True, cwd=REPO)


def switch_of(page: Path):
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(SWITCH)


def test_a_page_missing_in_the_other_edition_fails_the_build_naming_it(tmp_path):
    built = build_fixture(tmp_path, switch_table(["index"]))
    assert built.returncode != 0
    log = built.stdout + built.stderr
    assert "chapter/other: no 简体中文 page (zh-CN: chapter/other)" in log, log[-3000:]
    assert "index: no" not in log  # the page that has one is not named


def test_allowed_missing_pages_lead_to_the_other_front_page(tmp_path):
    built = build_fixture(tmp_path, switch_table(["index"], allow_missing=True))
    assert built.returncode == 0, (built.stdout + built.stderr)[-3000:]
    (front,) = switch_of(tmp_path / "html" / "index.html")
    (other,) = switch_of(tmp_path / "html" / "chapter" / "other.html")
    assert front["href"] == "zh-CN/index.html"
    assert other["href"] == "../zh-CN/index.html"  # its own page is missing: the front page
    assert other["hreflang"] == other["lang"] == "zh-CN" and "简体中文" in other.get_text()


def test_links_are_relative_to_the_page(tmp_path):
    built = build_fixture(tmp_path, switch_table(["index", "chapter/other"]))
    assert built.returncode == 0, (built.stdout + built.stderr)[-3000:]
    (other,) = switch_of(tmp_path / "html" / "chapter" / "other.html")
    assert other["href"] == "../zh-CN/chapter/other.html"
    (search,) = switch_of(tmp_path / "html" / "search.html")
    assert search["href"] == "zh-CN/search.html"


# --- the built book -------------------------------------------------------------------------

def site_pages() -> list[str]:
    """Every HTML page of both editions, relative to the site (search and genindex too)."""
    if not (HTML / "index.html").is_file():
        return []
    pages = []
    for path in sorted(HTML.rglob("*.html")):
        relative = path.relative_to(HTML).as_posix()
        inside = relative.removeprefix(f"{ZH.html}/")
        if inside == "index.html" or inside.startswith(("_static/", "_sources/", "_images/")):
            continue  # the redirect to the front page, the theme's macros
        pages.append(relative)
    return pages


def counterpart(relative: str) -> str:
    """The other edition's page for a page of the site (by the editions' table)."""
    this, other = (ZH, EN) if relative.startswith(f"{ZH.html}/") else (EN, ZH)
    inside = relative.removeprefix(f"{this.html}/") if this.html else relative
    key = this.key(inside.removesuffix(".html"))
    if key in editions.english_keys():
        return other.html_path(key)
    return f"{other.html}/{inside}" if other.html else inside  # search, genindex


def followed(relative: str) -> str:
    (link,) = switch_of(HTML / relative) or [None]
    assert link is not None, f"{relative}: no language switch"
    target = (Path(relative).parent / urlsplit(link["href"]).path).as_posix()
    return os.path.normpath(target)


@pytest.mark.skipif(not (HTML / "index.html").is_file(),
                    reason=f"no built book at {HTML}: run `make book` first (`make test` does)")
def test_the_built_book_has_both_editions():
    pages = site_pages()
    english = [p for p in pages if p.startswith("book/")]
    chinese = [p for p in pages if p.startswith(f"{ZH.html}/")
               and p not in (f"{ZH.html}/search.html", f"{ZH.html}/genindex.html")]
    assert len(english) == len(chinese) == len(editions.english_keys())


@pytest.mark.parametrize("relative", site_pages() or ["(no build)"])
def test_every_page_switches_to_its_counterpart_and_back(relative):
    if relative == "(no build)":
        pytest.skip(f"no built book at {HTML}: run `make book` first (`make test` does)")
    there = followed(relative)
    assert there == counterpart(relative), f"{relative}: the switch leads to {there}"
    assert (HTML / there).is_file(), f"{relative}: the switch leads to {there}, not built"
    assert followed(there) == relative, f"{there}: its switch does not lead back to {relative}"
