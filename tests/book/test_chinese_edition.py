"""The built Chinese edition (`make book` writes it to _build/html/zh-CN), read as files.

- It is in Chinese where Sphinx and the book speak: <html lang="zh-CN">, Sphinx's UI
  strings (the search page, previous/next), the book's title, the toc's captions, the
  set-up cell's fold and the front page's version line; the English edition stays English.
- Its search index is cut into Chinese words: 张量, 梯度, and the glossary's terms that
  jieba's own dictionary lacks (梯度带, 学习率) are terms, found on the right pages.
- Its pages reused the English execution: the jupyter-cache record each Chinese page's
  notebook matches is the one the English page's execution stored (its URI is the English
  page), so the Chinese build ran no kernel for it; and both show that record's outputs,
  each in its own language (book/_ext/localize_outputs.py): the same text, the figures
  the English page shows in English in Chinese (their copies drawn by the one execution,
  every word translated), the explorers' frames, labels and pictures in Chinese.
- The theme speaks Simplified Chinese: no button, bar or tooltip the catalogue
  book/_ext/locale/zh_CN.po covers is left English or in Taiwanese wording.
- Its pages offer Chinese notebooks: the download and the launch copy (output-free, the
  set-up cell first) carry the Chinese prose and the English page's code, and the launch
  buttons open the copy in zh-CN/notebooks/.
- The build's own files stay out of the published site.

TTT_BOOK_HTML=/some/_build/html points these tests at another build.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

import editions
import page_pairs
from ttt import labels

REPO_EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"
sys.path.insert(0, str(REPO_EXT))
import localize_outputs  # noqa: E402  (the build's extension, as the build loads it)
import ui_strings  # noqa: E402
sys.path.remove(str(REPO_EXT))

REPO = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("TTT_BOOK_HTML", REPO / "_build" / "html"))
BUILD = HTML.parent
EN, ZH = editions.english(), editions.chinese()
SITE = HTML / ZH.html
KEYS = editions.english_keys()

if not (SITE / "index.html").is_file():
    pytest.skip(f"no Chinese edition at {SITE}: run `make book` first (`make test` does)",
                allow_module_level=True)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def code_sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def has_code(key: str) -> bool:
    return any(cell.kind == "code"
               for cell in page_pairs.read_cells(EN.page(key).read_text(encoding="utf-8")))


# --- language -------------------------------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_pages_are_marked_chinese_and_english(key):
    assert soup(SITE / f"{key}.html").html["lang"] == "zh-CN"
    assert soup(HTML / EN.html_path(key)).html["lang"] == "en"


def test_sphinx_speaks_chinese_in_the_chinese_edition_only():
    assert soup(SITE / "search.html").title.get_text().startswith("搜索 - 张量、梯度带与训练")
    assert soup(HTML / "search.html").title.get_text().startswith("Search - Tensors")
    page = soup(SITE / "tensors" / "matmul.html")
    footer = page.select_one(".prev-next-area").get_text()
    assert "上一页" in footer and "下一页" in footer
    assert page.select_one("input.form-control")["placeholder"] == "搜索本书……"
    captions = [c.get_text(strip=True) for c in page.select(".bd-sidebar-primary p.caption")]
    assert captions == ["章节", "附录"]


def test_the_set_up_cells_fold_and_the_version_line_are_chinese():
    fold = soup(SITE / "tensors" / "matmul.html").select_one(
        "div.tag_ttt-setup details summary, div.tag_ttt-setup .collapsed")
    assert fold is not None and "准备工作" in fold.get_text(), fold
    english = soup(HTML / "book" / "tensors" / "matmul.html").select_one(
        "div.tag_ttt-setup details summary, div.tag_ttt-setup .collapsed")
    assert "Set-up: installs ttt" in english.get_text()
    assert "本书及其 ttt 包的版本" in soup(SITE / "intro.html").select_one(".ttt-version").get_text()


# --- search ---------------------------------------------------------------------------------

def search_index(folder: Path) -> dict:
    text = (folder / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def pages_with(index: dict, word: str) -> list[str]:
    """The pages the search finds `word` on: in their text or in a title."""
    pages = []
    for table in ("terms", "titleterms"):
        found = index[table].get(word, [])
        pages += [index["docnames"][i] for i in ([found] if isinstance(found, int) else found)]
    return pages


@pytest.mark.parametrize(("word", "page"), [
    ("张量", "tensors/index"), ("梯度", "tapes/derivatives"),
    ("梯度带", "tapes/gradient_tape"), ("学习率", "linear_fit/learning_rate"),
])
def test_the_chinese_search_index_is_cut_into_words(word, page):
    assert page in pages_with(search_index(SITE), word), f"{word!r} does not find {page}"


def test_the_english_index_is_english():
    index = search_index(HTML)
    # Sphinx's incremental index keeps a word no page has any more, finding nothing.
    assert not [term for term, found in index["terms"].items()
                if editions.CJK.search(term) and found != []]
    assert "book/tapes/gradient_tape" in pages_with(index, "gradienttap")


# --- one execution --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cache():
    from jupyter_cache import get_cache

    return get_cache(BUILD / ".jupyter_cache")


@pytest.mark.parametrize("key", KEYS)
def test_the_chinese_page_reused_the_english_execution(key, cache):
    # The notebooks as each build read them (set-up cell included) and executed them.
    english = nbformat.read(BUILD / "jupyter_execute" / f"{EN.docname(key)}.ipynb", 4)
    chinese = nbformat.read(BUILD / ZH.html / "jupyter_execute" / f"{key}.ipynb", 4)
    assert cache.create_hashed_notebook(chinese)[1] == cache.create_hashed_notebook(english)[1]
    record = cache.match_cache_notebook(chinese)
    uri = Path(record.uri)
    assert uri.is_relative_to(EN.pages) and not uri.is_relative_to(ZH.pages), (
        f"{key}: the cache's record for the Chinese page came from {uri}: it was executed "
        "by the Chinese build")
    if has_code(key):  # pages without code all share the one empty notebook's record
        assert uri == EN.page(key)
    # The same outputs, but for the figures: each edition's own (checked below).
    assert shown_outputs(SITE / f"{key}.html") == shown_outputs(HTML / EN.html_path(key))


def shown_outputs(path: Path) -> list[str]:
    """The text of each cell output a built page shows (its pictures aside).

    Read from the HTML: the executed notebooks myst-nb writes beside it carry outputs only
    when the page ran in that build (a page taken from the cache is written without)."""
    article = soup(path).find("article")
    return [" ".join(div.get_text(" ").split()) for div in article.select("div.cell_output")]


def shown_pictures(path: Path) -> list[str]:
    """The sha256 of each picture a page's cell outputs show (myst-nb names them so)."""
    article = soup(path).find("article")
    return [re.search(r"([0-9a-f]{64})\.png$", img["src"])[1]
            for img in article.select("div.cell_output img") if img["src"].endswith(".png")]


def figures(notebook) -> list:
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


def record_notebook(cache, key: str):
    """The cached execution (both languages) a Chinese page's notebook matches."""
    chinese = nbformat.read(BUILD / ZH.html / "jupyter_execute" / f"{key}.ipynb", 4)
    return cache.get_cache_bundle(cache.match_cache_notebook(chinese).pk).nb


def sha256(data: str) -> str:
    return hashlib.sha256(base64.b64decode(data)).hexdigest()


@pytest.mark.parametrize("key", KEYS)
def test_each_edition_shows_the_executions_figures_in_its_own_language(key, cache):
    drawn = figures(record_notebook(cache, key))
    english, chinese = shown_pictures(HTML / EN.html_path(key)), shown_pictures(SITE / f"{key}.html")
    assert len(drawn) == len(english) == len(chinese), key
    for k, (record, en, zh) in enumerate(zip(drawn, english, chinese)):
        found = record["metadata"].get(labels.FIGURE_METADATA)
        assert found is not None, f"{key}: figure {k + 1} was drawn without its Chinese copy"
        assert found["untranslated"] == [], f"{key}: figure {k + 1}: {found['untranslated']}"
        assert en == sha256(record["data"]["image/png"])
        if found["translated"]:  # it has words: the Chinese edition shows them in Chinese
            assert zh == sha256(record["data"][labels.CHINESE_FIGURE]) != en
        else:
            assert zh == en


# --- explorers ---------------------------------------------------------------------------------

from ttt.labels import CJK as CJK_TEXT  # noqa: E402
PAGES_WITH_EXPLORERS = [key for key in KEYS if "_explorer(" in EN.page(key).read_text(
    encoding="utf-8")]


def widget_state(path: Path) -> dict:
    """The widget state a built page embeds (myst-nb's script tag)."""
    script = soup(path).find("script", type=localize_outputs.WIDGET_STATE)
    return json.loads(script.string)["state"]


def shown_words(state: dict) -> tuple[list[str], list[str]]:
    """The text the explorers' widgets show (HTML without code, alt texts, plain labels)."""
    html, plain = [], []
    for model in state.values():
        fields = model["state"]
        if model["model_name"] == "HTMLModel":
            html.append(fields["value"])
        for name in localize_outputs.PLAIN_LABELS:
            value = fields.get(name)
            plain += value if isinstance(value, list) else [value] if value else []
    return html, [str(p) for p in plain]


def test_some_pages_have_explorers():
    assert len(PAGES_WITH_EXPLORERS) >= 3, PAGES_WITH_EXPLORERS


@pytest.mark.parametrize("key", PAGES_WITH_EXPLORERS)
def test_the_explorers_speak_each_editions_language(key, cache):
    record = record_notebook(cache, key)
    for language, path in ((labels.ENGLISH, HTML / EN.html_path(key)),
                           (labels.CHINESE, SITE / f"{key}.html")):
        state = widget_state(path)
        # What the page embeds is the execution's state with its language kept.
        expected = json.loads(json.dumps(record.metadata["widgets"]))
        localize_outputs.localize({"metadata": {"widgets": expected}}, language, pytest.fail)
        assert state == expected[localize_outputs.WIDGET_STATE]["state"], (key, language)
        html, plain = shown_words(state)
        assert html and not any(labels.MARK in value for value in html)
        if language == labels.ENGLISH:
            assert not any(CJK_TEXT.search(value) for value in html + plain), key
            continue
        frames = [value for value in html if "<img" in value or "<table" in value]
        assert frames and all(CJK_TEXT.search(value) for value in frames), key
        for value in html:
            value = re.sub(r"<code>.*?</code>", " ", value, flags=re.S)
            alts = " ".join(re.findall(r'alt="([^"]*)"', value))
            words = labels.untranslated(re.sub(r"<[^>]+>", " ", value) + " " + alts)
            assert not words, f"{key}: English left in an explorer: {words}"
        assert not [p for p in plain if labels.untranslated(p)], (key, plain)


# --- the theme's words -------------------------------------------------------------------------

def chrome(path: Path) -> tuple[str, list[str]]:
    """A page's own interface, without its article: its text and its attributes' values."""
    page = soup(path)
    for tag in page(["article", "script", "style"]):
        tag.decompose()
    attributes = [value for tag in page.find_all(True) for name, value in tag.attrs.items()
                  if name in ("title", "aria-label", "data-bs-title", "alt", "placeholder")]
    return page.get_text(" "), [str(value) for value in attributes]


@pytest.mark.parametrize("key", ["intro", "linear_fit/learning_rate", "tapes/gradient_tape"])
def test_the_themes_words_are_simplified_chinese(key):
    messages = ui_strings.catalogue(ZH.language)
    assert messages and messages["Print to PDF"] == "打印为 PDF"
    text, attributes = chrome(SITE / f"{key}.html")
    english_text, english_attributes = chrome(HTML / EN.html_path(key))
    left = [msgid for msgid in messages if msgid in attributes]
    assert not left, f"{key}: left English: {left}"
    assert "列印" not in text + " ".join(attributes)
    assert "打印为 PDF" in attributes
    permalinks = {link["title"] for link in soup(SITE / f"{key}.html").select("a.headerlink")}
    assert permalinks == {"链接到此标题"}, permalinks
    # The English edition keeps the themes' own English.
    assert "Print to PDF" in english_attributes and not CJK_TEXT.search(
        " ".join(a for a in english_attributes if a != ZH.label))


# --- notebooks and launch buttons -----------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_the_chinese_pages_offer_chinese_notebooks(key):
    page = soup(SITE / f"{key}.html")
    download = page.select_one(".dropdown-download-buttons a[href$='.ipynb']")["href"]
    english = nbformat.read(HTML / "_sources" / f"{EN.docname(key)}.ipynb", 4)
    launch = nbformat.read(SITE / "notebooks" / f"{key}.ipynb", 4)
    for notebook in (nbformat.read((SITE / f"{key}.html").parent / download, 4), launch):
        assert code_sources(notebook) == code_sources(english)
        prose = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert editions.CJK.search(prose), f"{key}: the notebook's prose is not Chinese"
    assert all(not cell.get("outputs") for cell in launch.cells if cell.cell_type == "code")
    for button in page.select(".dropdown-launch-buttons a"):
        assert button["href"].endswith(f"/{ZH.html}/notebooks/{key}.ipynb"), button["href"]


def test_the_build_files_stay_out_of_the_site():
    assert not (HTML / "jupyter_execute").exists()
    assert not (HTML / ".doctrees").exists() and not (SITE / ".doctrees").exists()
    # The wheel, binder/ and the exercises are the site's, once, at its root.
    assert (HTML / "_wheels").is_dir() and not (SITE / "_wheels").exists()


# --- figures' alt texts ---------------------------------------------------------------

def output_alts(path: Path) -> list[str]:
    return [image.get("alt", "") for image in soup(path).select("div.cell_output img")]


def english_alts(key: str) -> list[str]:
    """The alt texts the English page's code cells give their figures, in order."""
    page = (REPO / "book" / f"{key}.md").read_text(encoding="utf-8")
    return [alt[len("alt: "):] for alt in page_pairs.prose(page) if alt.startswith("alt: ")]


@pytest.mark.parametrize("key", [key for key in KEYS if english_alts(key)])
def test_figures_are_described_in_each_editions_language(key):
    english = [" ".join(alt.split()) for alt in english_alts(key)]
    assert [" ".join(alt.split()) for alt in output_alts(HTML / EN.html_path(key))] == english
    chinese = output_alts(SITE / f"{key}.html")
    assert len(chinese) == len(english)
    for alt in chinese:  # a figure-alt's translation: Chinese, and no English sentence left
        assert CJK_TEXT.search(alt) and alt not in english, (key, alt)
