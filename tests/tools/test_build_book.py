"""tools/build_book.py: what it does before handing over to jupyter-book."""

from __future__ import annotations

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
