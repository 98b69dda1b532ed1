"""Make this folder's helper modules (pages.py) importable as `pages` from every test here,
whatever pytest's import mode (the default `prepend` already does it; `importlib` does not)."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
