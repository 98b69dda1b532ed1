"""The Chinese edition in Chromium, offline, as a reader uses it.

Every page of both editions also goes through test_book_in_browser.py (errors, math,
tabs, side-by-side grids, explorers, code widths: which pages must show what is read from
each edition's sources). Here, on Chinese pages: a page with NumPy | TensorFlow tabs
switches them and shows its math typeset; an explorer answers the keyboard; the search
finds a Chinese word (梯度带, which jieba's own dictionary would cut in two) on the right
page; and the language switch leads to the same page in English and back, keeping the
reader's choice of framework. The explorers speak each edition's language: on a Chinese
page their heading, slider names, caption, picture and alt text are Chinese and carry no
English word, on the English page English; and a Chinese page's buttons and tooltips are
Chinese. Screenshots go beside the others (built_book.SCREENSHOTS).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from built_book import REPO, SCREENSHOTS
from ttt import labels

pytestmark = pytest.mark.browser

TABS_PAGE = "zh-CN/tensors/matmul.html"
from ttt.labels import CJK  # noqa: E402
# What the reader sees of an explorer: its visible HTML (code aside), its alt texts and
# its sliders' names and positions.
EXPLORER_TEXT = """e => {
    const visible = Array.from(e.querySelectorAll('.widget-html-content'))
        .filter(h => h.offsetParent !== null);
    const html = visible.map(h => { const c = h.cloneNode(true);
        c.querySelectorAll('code').forEach(x => x.remove()); return c.innerText; });
    const alts = visible.flatMap(h => Array.from(h.querySelectorAll('img')).map(i => i.alt));
    const sliders = Array.from(e.querySelectorAll('.widget-slider .widget-label, '
        + '.widget-slider .widget-readout')).map(x => x.innerText);
    return {text: html.join('\\n'), alts: alts, sliders: sliders};
}"""
EXPLORER_PAGE = "zh-CN/linear_fit/learning_rate.html"
SWITCH_PAGE = "zh-CN/tapes/gradient_tape.html"
SEARCHES = [("梯度带", "tapes/gradient_tape.html"), ("张量", "tensors/index.html")]


def title(source: str) -> str:
    """A page's title, as its source's first heading has it (inline code unmarked)."""
    text = (REPO / source).read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.M)[1].replace("`", "").strip()


def screenshot(book_page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    book_page.page.screenshot(path=str(SCREENSHOTS / f"zh-CN__{name}.png"), full_page=False)


def test_tabs_switch_and_math_is_typeset_on_a_chinese_page(fresh_page):
    fresh_page.open(TABS_PAGE)
    page = fresh_page.page
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("article mjx-container").count() >= 1, "no math typeset"
    assert not page.locator("article .math:not(:has(mjx-container))").count()
    labels = page.locator('.sd-tab-set > label[data-sync-group="framework"]')
    assert labels.count() >= 4
    page.locator('.sd-tab-set > label[data-sync-id="tensorflow"]').first.click()
    selected = page.evaluate(
        """() => Array.from(document.querySelectorAll('.sd-tab-set'))
            .filter(s => s.querySelector('label[data-sync-group="framework"]'))
            .map(s => { const i = s.querySelector(':scope > input:checked');
                        return s.querySelector(`:scope > label[for="${i.id}"]`).textContent.trim(); })""")
    assert selected and set(selected) == {"TensorFlow"}, selected
    page.locator('.sd-tab-set > label[data-sync-id="tensorflow"]').first.scroll_into_view_if_needed()
    screenshot(fresh_page, "tabs-tensorflow")
    assert not fresh_page.problems, "\n".join(fresh_page.problems)


def test_an_explorer_answers_the_keyboard_on_a_chinese_page(fresh_page):
    fresh_page.open(EXPLORER_PAGE)
    page = fresh_page.page
    explorer = page.locator(".ttt-explorer").first
    explorer.scroll_into_view_if_needed()
    frame = explorer.inner_html()
    handle = explorer.locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([e, old]) => e.innerHTML !== old", arg=[explorer.element_handle(), frame],
                           timeout=10_000)
    screenshot(fresh_page, "explorer")
    assert not fresh_page.problems, "\n".join(fresh_page.problems)


@pytest.mark.parametrize(("word", "expected"), SEARCHES)
def test_the_search_finds_a_chinese_word(fresh_page, word, expected):
    page = fresh_page.page
    page.goto(fresh_page.url(f"zh-CN/search.html?q={quote(word)}"), wait_until="load")
    page.wait_for_function(
        "() => { const s = document.querySelector('.search-summary');"
        " return s && s.textContent.trim().length > 0; }", timeout=60_000)
    links = page.locator("#search-results ul.search li a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(href.split("?")[0].split("#")[0].endswith(expected) for href in hrefs), (
        f"searching {word!r} did not find {expected}: {hrefs}")
    screenshot(fresh_page, f"search-{expected.replace('/', '_').removesuffix('.html')}")
    assert not fresh_page.problems, "\n".join(fresh_page.problems)


def test_the_language_switch_leads_to_the_same_page_and_back(fresh_page):
    fresh_page.open(SWITCH_PAGE)
    page = fresh_page.page
    page.locator('.sd-tab-set > label[data-sync-id="tensorflow"]').first.click()
    switch = page.locator("a.ttt-language-switch")
    assert switch.count() == 1 and switch.inner_text().strip() == "English"
    screenshot(fresh_page, "switch-before")
    switch.click()
    page.wait_for_load_state("load")
    assert re.search(r"/book/tapes/gradient_tape\.html$", page.url), page.url
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").first.inner_text().strip() == title("book/tapes/gradient_tape.md")
    # The framework chosen on the Chinese page is still chosen (one site, one storage).
    chosen = page.locator('.sd-tab-set > input:checked + label').first.inner_text().strip()
    assert chosen == "TensorFlow"
    back = page.locator("a.ttt-language-switch")
    assert back.inner_text().strip() == "简体中文"
    back.click()
    page.wait_for_load_state("load")
    assert re.search(r"/zh-CN/tapes/gradient_tape\.html$", page.url), page.url
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").first.inner_text().strip() == \
        title("book/zh-CN/tapes/gradient_tape.md")
    screenshot(fresh_page, "switch-back")
    assert not fresh_page.problems, "\n".join(fresh_page.problems)


@pytest.mark.parametrize("edition", ["zh-CN", "en"])
def test_the_explorer_speaks_the_pages_language(fresh_page, edition):
    relative = EXPLORER_PAGE if edition == "zh-CN" else "book/linear_fit/learning_rate.html"
    fresh_page.open(relative)
    explorer = fresh_page.page.locator(".ttt-explorer").first
    explorer.scroll_into_view_if_needed()
    shown = explorer.evaluate(EXPLORER_TEXT)
    words = " ".join([shown["text"], *shown["alts"], *shown["sliders"]])
    assert shown["alts"] and all(len(alt) >= 20 for alt in shown["alts"]), shown["alts"]
    if edition == "zh-CN":
        assert "学习率探索工具" in shown["text"] and "学习率" in shown["sliders"], shown
        assert all(CJK.search(alt) for alt in shown["alts"]), shown["alts"]
        assert not labels.untranslated(words), labels.untranslated(words)
    else:
        assert "Learning-rate explorer" in shown["text"] and "learning rate" in shown["sliders"]
        assert not CJK.search(words), words
    screenshot(fresh_page, f"explorer-words-{edition}")
    assert not fresh_page.problems, "\n".join(fresh_page.problems)


def test_the_buttons_and_tooltips_are_chinese(fresh_page):
    fresh_page.open(SWITCH_PAGE)
    page = fresh_page.page
    # Every tooltip and accessible name the page's interface has, once its scripts ran
    # (Bootstrap moves a tooltip's title into data-bs-original-title).
    names = page.evaluate(
        """() => { const names = ['title', 'aria-label', 'data-bs-title',
                                  'data-bs-original-title'];
            return Array.from(document.querySelectorAll(
              '.bd-header-article *, .bd-sidebar-primary *, .bd-sidebar-secondary *, '
              + 'button, nav'))
            .flatMap(e => names.map(a => e.getAttribute(a)).filter(Boolean)); }""")
    english = [name for name in names if name not in {"English", "Binder", "Colab"}
               and re.search(r"[A-Za-z]{3,}", name) and not CJK.search(name)]
    assert not english, english
    assert "打印为 PDF" in names and not [name for name in names if "列印" in name]
    screenshot(fresh_page, "header")
    assert not fresh_page.problems, "\n".join(fresh_page.problems)
