"""The learner's feedback page: score, status, and per part the stage reached and the bug.

Built only from the verdict and the grader's own status, never from the executed notebook,
so hidden test code cannot leak into it: of a test cell's errors, only those raised inside
the learner's own code, or a NameError, are listed (see batch._raised_by_the_learner).
Everything that came from the learner (error messages) or from the verdict is HTML-escaped,
and has its terminal control characters escaped too (:mod:`autograder.plain_text`): the
page is also read with cat and grep.
"""

from __future__ import annotations

from html import escape as _html_escape
from pathlib import Path

from autograder.results import Result
from autograder.plain_text import learner_key, plain

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
.full { color: #005a32; } .partial { color: #8a5300; } .none { color: #a50f15; }
pre { background: #f4f4f4; padding: .5rem; white-space: pre-wrap; }
"""


def escape(text: str) -> str:
    """Safe in a page and on a terminal."""
    return _html_escape(plain(text))


def _score_class(score: float, max_score: float) -> str:
    if max_score > 0 and score >= max_score:
        return "full"
    return "partial" if score > 0 else "none"


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def render(result: Result) -> str:
    rows = "\n".join(
        f'<tr><td>{escape(part.grade_id)}</td><td>{escape(part.stage)}</td>'
        f'<td class="{_score_class(part.score, part.max_score)}">'
        f'{_points(part.score)} / {_points(part.max_score)}</td>'
        f'<td>{escape(part.message)}</td></tr>'
        for part in result.parts)
    errors = ""
    if result.learner_errors:
        items = "\n".join(f"<li><pre>{escape(e)}</pre></li>" for e in result.learner_errors)
        errors = ("<h2>Errors while your notebook ran</h2>\n<p>Raised by your code, in your "
                  f"cells or in the tests that called it.</p>\n<ul>\n{items}\n</ul>")
    total_class = _score_class(result.score, result.max_score)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Feedback: {escape(result.assignment)} for {escape(learner_key(result.learner_id))}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Feedback on <code>{escape(result.assignment)}</code></h1>
<p>Learner: <strong>{escape(learner_key(result.learner_id))}</strong></p>
<p>Score: <strong class="{total_class}">{_points(result.score)} of
{_points(result.max_score)} points</strong></p>
<p>Status: {escape(result.status)}</p>
<h2>Parts</h2>
<table>
<thead><tr><th>Part</th><th>Stage reached</th><th>Points</th><th>What we found</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>Stages: <em>one step</em> checks a single update, <em>trajectory</em> several steps from
fresh starting points, <em>convergence</em> a long run to the least-squares optimum.</p>
{errors}
</body>
</html>
"""


def write_feedback(out_dir: Path, result: Result) -> Path:
    """Write OUT_DIR/feedback/<learner key>/<assignment>.html and return its path (the key:
    :func:`autograder.plain_text.learner_key`, as in grades.csv and the gradebook)."""
    folder = out_dir / "feedback" / learner_key(result.learner_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.assignment}.html"
    path.write_text(render(result), encoding="utf-8")
    return path
