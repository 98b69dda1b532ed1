# Walks up from sys.path, module files and the editable-install finder looking for the
# instructor's solution notebook, and runs its answers if found (full marks if it works).
import json
import os
import sys

candidates = ["@REPO_ROOT@", os.getcwd()]
for entry in sys.path:
    path = os.path.abspath(entry or ".")
    for _ in range(6):
        candidates.append(path)
        path = os.path.dirname(path)
for module in list(sys.modules.values()):
    for value in getattr(module, "MAPPING", {}).values() if isinstance(
            getattr(module, "MAPPING", None), dict) else []:
        candidates += [os.path.dirname(value), os.path.dirname(os.path.dirname(value))]
    file = getattr(module, "__file__", None) or ""
    for _ in range(6):
        file = os.path.dirname(file)
        candidates.append(file)

stolen = None
for base in dict.fromkeys(candidates):
    path = os.path.join(base, "solutions", "linear_fit", "linear_fit.ipynb")
    try:
        with open(path, encoding="utf-8") as handle:
            stolen = json.load(handle)
        break
    except OSError:
        continue

if stolen:
    for cell in stolen["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            exec("".join(cell["source"]))  # noqa: S102 -- this is the attack
else:
    NOOP
