"""The book's pages as _toc.yml names them: shared by the book's and the distribution's tests
(tests/conftest.py puts this folder and tools/ on sys.path)."""

from __future__ import annotations

import editions


def toc_docnames() -> list[str]:
    """Every `root`/`file` entry of _toc.yml, in order (paths without suffix), as
    tools/editions.py reads them."""
    english = editions.english()
    return [english.docname(key) for key in editions.english_keys()]
