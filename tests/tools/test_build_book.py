"""tools/build_book.py: what it does before handing over to jupyter-book."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout


def test_the_build_process_skips_the_iri_grammars_and_still_validates():
    # Without the skip, importing jsonschema compiles rfc3987-syntax's lark grammars.
    loaded = _run("import sys; sys.path.insert(0, 'tools'); import build_book; "
                  "build_book.skip_iri_syntax_checks(); import jsonschema, jsonschema._format; "
                  "print('lark' in sys.modules, 'rfc3987_syntax' in sys.modules)")
    assert loaded.split() == ["False", "True"]  # the None entry, not the module
    checked = _run("import sys; sys.path.insert(0, 'tools'); import build_book; "
                   "build_book.skip_iri_syntax_checks(); import jsonschema\n"
                   "schema = {'type': 'object', 'properties': {'n': {'type': 'integer'}}}\n"
                   "try:\n    jsonschema.validate({'n': 'x'}, schema)\n"
                   "except jsonschema.ValidationError:\n    print('refused')")
    assert checked.strip() == "refused"


def test_an_existing_execution_cache_is_left_alone(tmp_path):
    (tmp_path / "global.db").write_text("not a database")  # opened, it would fail
    _run(f"import sys; sys.path.insert(0, 'tools'); import build_book; "
         f"build_book.create_execution_cache(__import__('pathlib').Path({str(tmp_path)!r})); "
         f"assert 'jupyter_cache' not in sys.modules")


def _kernels_seen_by_the_build(tmp_path, monkeypatch, *options: str) -> dict:
    """What a page's kernel would be started with, as build_book's builds would see it."""
    sys.path.insert(0, str(REPO / "tools"))
    import build_book
    from jupyter_client.kernelspec import KernelSpecManager

    from autograder.kernel_template.provisioner import TEMPLATE_VARIABLE

    seen = {}

    def build_both(*args):
        spec = KernelSpecManager().get_kernel_spec("python3")
        seen.update(provisioner=spec.metadata.get("kernel_provisioner"),
                    template=os.environ.get(TEMPLATE_VARIABLE))
        return 0

    monkeypatch.setattr(build_book, "preload", lambda: None)
    monkeypatch.setattr(build_book, "build_both", build_both)
    monkeypatch.delenv(TEMPLATE_VARIABLE, raising=False)
    assert build_book.main(["--path-output", str(tmp_path), *options]) == 0
    seen["left"] = os.environ.get(TEMPLATE_VARIABLE)
    return seen


def test_the_pages_kernels_are_forked_from_the_template_unless_told_not_to(tmp_path, monkeypatch):
    forked = _kernels_seen_by_the_build(tmp_path, monkeypatch)
    assert forked["provisioner"]["provisioner_name"] == "ttt-kernel-template"
    assert forked["template"].endswith("template.sock")
    assert forked["left"] is None  # the build's end takes the template away
    plain = _kernels_seen_by_the_build(tmp_path, monkeypatch, "--no-template")
    assert plain["provisioner"] is None and plain["template"] is None
