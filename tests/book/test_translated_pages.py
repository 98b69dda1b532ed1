"""Every Chinese page is its English page with the prose translated, and nothing else.

For each page of _toc.yml: book/zh-CN/<same path> exists, and has the English page's front
matter, the same cells in the same order with the same kinds and metadata (tags), and the
same code, byte for byte (tools/page_pairs.py). A failure names the page and the cell.
No Chinese page exists that the toc does not name. The comparison itself is checked on
small pages made here, so that it cannot pass by seeing nothing.
"""

from __future__ import annotations

import pytest

import editions
import page_pairs
from myst_pages import HEADER

ENGLISH, CHINESE = editions.english(), editions.chinese()
KEYS = editions.english_keys()


@pytest.mark.parametrize("key", KEYS)
def test_chinese_page_keeps_the_english_pages_code(key):
    english, chinese = ENGLISH.page(key), CHINESE.page(key)
    shown = chinese.relative_to(editions.REPO)
    assert chinese.is_file(), (f"{shown}: no Chinese page for "
                               f"{english.relative_to(editions.REPO)} (the toc names it)")
    found = page_pairs.compare_files(english, chinese)
    assert not found, f"{shown} departs from its English page:\n" + "\n".join(map(str, found))


def test_every_chinese_page_has_an_english_page():
    pages = sorted(path.relative_to(CHINESE.pages).with_suffix("").as_posix()
                   for path in CHINESE.pages.rglob(f"*{editions.SOURCE_SUFFIX}"))
    assert pages, f"no Chinese pages under {CHINESE.pages}"
    assert [page for page in pages if page not in KEYS] == []


# --- the comparison, on pages made here ---------------------------------------------------

ENGLISH_PAGE = HEADER + """# Title

Some prose.

```{code-cell} ipython3
import numpy as np
```

More prose.

```{code-cell} ipython3
:tags: [numpy]

x = np.ones(3)
```

+++ {"tags": ["numpy"]}

A tagged note.

+++

```{code-cell} ipython3
:tags: [tensorflow]

y = x * 2
print(y)
```
"""
CHINESE_PAGE = (ENGLISH_PAGE.replace("# Title", "# 标题").replace("Some prose.", "一些文字。")
                .replace("More prose.", "更多文字。").replace("A tagged note.", "带标签的说明。"))


def test_a_translation_of_the_prose_only_passes():
    assert page_pairs.differences(ENGLISH_PAGE, CHINESE_PAGE) == []


@pytest.mark.parametrize(("change", "expected"), [
    (lambda p: p.replace("x * 2", "x * 3"),
     "cell 6 (code cell 3): its code differs from the English page's (line 1: "
     "'y = x * 3' instead of 'y = x * 2')"),
    (lambda p: p.replace(":tags: [numpy]\n", ":tags: [numpy, teaches]\n"),
     "cell 4 (code cell 2): metadata"),
    (lambda p: p.replace('+++ {"tags": ["numpy"]}', '+++ {"tags": ["tensorflow"]}'),
     "cell 5 (markdown): metadata"),
    (lambda p: p.replace("  name: python3", "  name: python2"), "front matter: differs"),
    (lambda p: p.replace("```{code-cell} ipython3\nimport numpy as np\n```\n", ""),
     "cell 2 (code cell 1): its code differs"),  # (then the page has fewer cells)
    (lambda p: p + "\n```{code-cell} ipython3\nprint('extra')\n```\n",
     "the page: 6 cells in English, 7 in Chinese (from cell 7 (code cell 4) on)"),
])
def test_the_comparison_names_the_cell_that_drifted(change, expected):
    found = [str(d) for d in page_pairs.differences(ENGLISH_PAGE, change(CHINESE_PAGE))]
    assert any(line.startswith(expected) for line in found), found


def test_cells_swapped_are_found():
    first = "```{code-cell} ipython3\nimport numpy as np\n```"
    last = "```{code-cell} ipython3\n:tags: [tensorflow]\n\ny = x * 2\nprint(y)\n```"
    swapped = CHINESE_PAGE.replace(first, "@@").replace(last, first).replace("@@", last)
    found = [str(d) for d in page_pairs.differences(ENGLISH_PAGE, swapped)]
    assert found and found[0].startswith("cell 2 (code cell 1):"), found
