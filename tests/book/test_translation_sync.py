"""`make test` warns, without failing, for every Chinese page whose English prose changed
since it was translated (or that was never marked): a ProseDriftWarning each, listed in
pytest's warnings summary, naming the page and the command that clears it. Code drift
fails elsewhere (test_translated_pages.py); here only prose is judged.
"""

from __future__ import annotations

import warnings

import translations


WHY = {
    translations.PROSE_CHANGED: "the prose of book/{key}.md changed since it was translated; "
                                "re-translate what changed",
    translations.NOT_MARKED: "no record of the English prose it was translated from; check it "
                             "against book/{key}.md",
}


def test_prose_drift_is_a_warning_not_a_failure():
    rows = translations.status()
    assert rows, "no pages in _toc.yml"
    for row in rows:
        if row.state in WHY:
            warnings.warn(translations.ProseDriftWarning(
                f"book/zh-CN/{row.key}.md: {WHY[row.state].format(key=row.key)}, then run "
                f"`python tools/translations.py mark {row.key}`"), stacklevel=1)
