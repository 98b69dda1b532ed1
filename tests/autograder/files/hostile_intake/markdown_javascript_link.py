"""A learner's Markdown cell whose link runs script in the instructor's formgrader."""
# earned (before): the formgrader's submission page (nbconvert, template "formgrade") renders
#   <a href="javascript:alert(document.domain)">my derivation</a>; one click runs script in
#   the instructor's logged-in Jupyter server (its API: terminals, files). Escaping "<" does
#   not reach it; "![x](https://attacker.example/seen.png)" also makes the page fetch a
#   learner's URL whenever the instructor opens it.
# should: the learner's Markdown shown as text: no link, image or markup of theirs live.
# fix: autograder/autograded_copy.py:133-135 (merge): put each of the learner's Markdown
#   and raw cells' text in a fenced code block (a fence longer than any run of backticks
#   in it) instead of replacing "<", so nbconvert renders it as escaped <pre>.
from pathlib import Path

from nbformat import v4

MARKDOWN = ("My derivation is [here](javascript:alert(document.domain)), "
            "[ref]\n\n[ref]: JaVaScRiPt:alert(2)\n\n![x](https://attacker.example/seen.png)")


def prepared():
    """A prepared notebook as autograder.submission leaves it, with the learner's cell."""
    return v4.new_notebook(cells=[
        v4.new_code_cell("def f(x):\n    return x", metadata={"nbgrader": {
            "grade_id": "f", "locked": False, "solution": True, "grade": False,
            "schema_version": 3}}),
        v4.new_markdown_cell(MARKDOWN)])


def formgrader_page(notebook_path: Path) -> str:
    """The HTML nbgrader's formgrader serves for this notebook (its exporter and template)."""
    import nbgrader.server_extensions.formgrader.handlers as handlers
    from nbconvert.exporters import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    resources = {"assignment_id": "tensors", "notebook_id": "tensors", "submission_id": "s",
                 "index": 0, "total": 1, "base_url": "/", "student": "mallory",
                 "last_name": None, "first_name": None, "notebook_path": "/x"}
    return HTMLExporter(config=config).from_filename(str(notebook_path), resources=resources)[0]


if __name__ == "__main__":  # .venv/bin/python THIS_FILE: prints the live links
    import re
    import tempfile

    from autograder import autograded_copy

    with tempfile.TemporaryDirectory() as out:
        path = autograded_copy.write(Path(out), "mallory", "tensors",
                                     autograded_copy.merge(prepared(), []))
        page = formgrader_page(path)
    print("\n".join(re.findall(r'<(?:a href|img[^>]*src)="[^"]*"', page)))
