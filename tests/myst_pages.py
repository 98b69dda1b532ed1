"""Book pages made by tests: a MyST Markdown notebook's jupytext header, as the book's own
pages start."""

from __future__ import annotations

HEADER = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
          "kernelspec:\n  display_name: Python 3\n  name: python3\n---\n\n")


def page(title: str, prose: str, code: str = "x = 1") -> str:
    """A page with a title, one paragraph and one code cell."""
    return HEADER + f"# {title}\n\n{prose}\n\n```{{code-cell}} ipython3\n{code}\n```\n"
