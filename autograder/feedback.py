"""The learner's feedback page: score, status, and per part what was found, in the
learner's terms.

Each part is named as the notebook heads it ("Part 2: a TensorFlow step"), with every
problem its cases showed, grouped by cause; a named bug's hint comes first, its fix behind
"Show the fix", and a link to the book's section that teaches it (under the course's book
address, :func:`autograder.course.book_url`). Messages are Markdown lines (`code`,
*emphasis*). A stage legend explains only the stages of the parts that have them. A part
that recorded a picture of its steps and lost points shows it (:mod:`.step_picture`).

Built only from the verdict and the grader's own status, never from the executed notebook,
so hidden test code cannot leak into it: of a test cell's errors, only those raised inside
the learner's own code, or a NameError, are listed (see batch._raised_by_the_learner).
Everything that came from the learner (error messages) or from the verdict is HTML-escaped,
and has its terminal control characters escaped too (:mod:`autograder.plain_text`): the
page is also read with cat and grep.
"""

from __future__ import annotations

import re
from html import escape as _html_escape
from pathlib import Path

from autograder import (assignments, book_sections, course, feedback_exchange, parts,
                        step_picture)
from autograder.judging.wording import FIX, READ
from autograder.results import Result, rounded
from autograder.plain_text import learner_key, plain

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
.full { color: #005a32; } .partial { color: #8a5300; } .none { color: #a50f15; }
pre { background: #f4f4f4; padding: .5rem; white-space: pre-wrap; }
td p, th p { margin: 0 0 .4rem; } th[scope=row] { font-weight: 600; }
code { background: #f4f4f4; padding: 0 .2rem; border-radius: 3px; }
details { margin: 0 0 .4rem; } summary { cursor: pointer; color: #00508a; }
figure.steps { margin: .6rem 0; } figure.steps svg { max-width: 100%; height: auto; }
figcaption { font-size: .9rem; color: #444; }
"""


def escape(text: str) -> str:
    """Safe in a page and on a terminal."""
    return _html_escape(plain(text))


def _score_class(score: float, max_score: float) -> str:
    if max_score > 0 and score >= max_score:
        return "full"
    return "partial" if score > 0 else "none"


def _points(value: float) -> str:
    return f"{rounded(value):g}"


# What each stage checks; the page explains only the stages its parts have.
STAGE_MEANINGS = {
    "one step": "a single update, from values the grader chose",
    "trajectory": "several updates in a row, each starting where the last one ended",
    "convergence": "a long run, which must end at the least-squares optimum",
}


def inline(text: str) -> str:
    """One line of a message as HTML: escaped, then Markdown's `code`, **strong** and
    *emphasis* (a learner's error text is escaped first, so it can only gain these)."""
    html = escape(text)
    pieces = re.split(r"(`[^`]+`)", html)
    for k, piece in enumerate(pieces):
        if k % 2:  # inside backticks: code, nothing else applies
            pieces[k] = f"<code>{piece[1:-1]}</code>"
        else:
            piece = re.sub(r"\*\*(\S(?:.*?\S)?)\*\*", r"<strong>\1</strong>", piece)
            pieces[k] = re.sub(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])", r"<em>\1</em>",
                               piece)
    return "".join(pieces)


def section_link(section: str, book_url: str) -> str:
    """A link to a book section under ``book_url`` (also the class report's)."""
    try:
        href, words = book_sections.resolve(section)
    except book_sections.UnknownSection:  # a slip of the grader's: say it, link nothing
        return escape(section)
    return f'<a href="{escape(book_url.rstrip("/"))}/{escape(href)}">{inline(words)}</a>'


def _section_link(section: str, book_url: str) -> str:
    return f'<p class="read">Read in the book: {section_link(section, book_url)}</p>'


def finding(message: str, book_url: str) -> str:
    """A part's message as HTML: its lines as paragraphs, each fix behind "Show the fix"
    (the hint comes first), each section of the book as a link."""
    html = []
    for line in message.split("\n"):
        if line.startswith(FIX):
            html.append("<details><summary>Show the fix</summary>"
                        f"<p>{inline(line[len(FIX):])}</p></details>")
        elif line.startswith(READ):
            html.append(_section_link(line[len(READ):].strip(), book_url))
        elif line.strip():
            html.append(f"<p>{inline(line)}</p>")
    return "\n".join(html)


def _course_parts(assignment: str) -> tuple[dict, dict]:
    """({grade_id: title as the notebook heads it}, {grade_id: stages}) of a known
    assignment; two empty tables for any other (a result read back from a journal)."""
    if assignment not in assignments.ASSIGNMENTS:
        return {}, {}
    stages = {spec.grade_id: spec.stages for spec in parts.parts(assignment).values()}
    return assignments.get(assignment).part_titles, stages


def _late_line(result: Result) -> str:
    """Raw score, late penalty and what is left, when a penalty was taken."""
    if not result.late_penalty:
        return ""
    return (f'<p class="late">Late: {_points(result.raw_score)} points earned, '
            f"{_points(result.late_penalty)} taken off for lateness, "
            f"{_points(result.score)} kept.</p>\n")


def render(result: Result, book_url: str | None = None) -> str:
    book_url = course.book_url() if book_url is None else book_url
    titles, stages = _course_parts(result.assignment)
    rows, staged = [], []
    for part in result.parts:
        title = titles.get(part.grade_id, part.grade_id)
        own_stages = stages.get(part.grade_id, ())
        reached = ""
        if own_stages and part.stage in own_stages:
            staged += [stage for stage in own_stages if stage not in staged]
            reached = f'<p class="stage">Stage reached: <em>{escape(part.stage)}</em></p>\n'
        # A picture of the steps where they went wrong: seen before it is read.
        picture = (step_picture.render(part.figure, part.grade_id)
                   if part.figure and part.score < part.max_score else "")
        rows.append(
            f'<tr><th scope="row">{inline(title)}</th>'
            f'<td class="{_score_class(part.score, part.max_score)}">'
            f'{_points(part.score)} / {_points(part.max_score)}</td>'
            f'<td>{reached}{finding(part.message, book_url)}{picture}</td></tr>')
    legend = ""
    if staged:
        items = "\n".join(f"<li><em>{escape(stage)}</em>: {escape(STAGE_MEANINGS[stage])}</li>"
                          for stage in staged if stage in STAGE_MEANINGS)
        legend = f"<p>The stages of a part, in order:</p>\n<ul>\n{items}\n</ul>"
    errors = ""
    if result.learner_errors:
        items = "\n".join(f"<li>{inline(e)}</li>" for e in result.learner_errors)
        errors = ("<h2>Errors while your notebook ran</h2>\n<p>Raised by your code, in your "
                  f"cells or in the tests that called it.</p>\n<ul>\n{items}\n</ul>")
    total_class = _score_class(result.score, result.max_score)
    body_rows = "\n".join(rows)
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
{_late_line(result)}<p>Status: {escape(result.status)}</p>
<h2>Parts</h2>
<table>
<thead><tr><th>Part</th><th>Points</th><th>What we found</th></tr></thead>
<tbody>
{body_rows}
</tbody>
</table>
{legend}
{errors}
</body>
</html>
"""


def write_feedback(out_dir: Path, result: Result, notebook: Path | None = None) -> Path:
    """Write OUT_DIR/feedback/<learner key>/<assignment>/<assignment>.html and return its
    path (the key: :func:`autograder.plain_text.learner_key`, as in grades.csv and the
    gradebook), in nbgrader's feedback layout with the files ``nbgrader release_feedback``
    needs beside it (:mod:`autograder.feedback_exchange`; the submission's secret is read
    from beside the graded ``notebook``)."""
    folder = out_dir / "feedback" / learner_key(result.learner_id) / result.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.assignment}.html"
    path.write_text(render(result), encoding="utf-8")
    feedback_exchange.write_beside(folder, result.submitted_at, notebook)
    return path
