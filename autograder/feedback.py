"""The learner's feedback page: score, status, and per part what was found, in the
learner's terms.

Each part is named as the notebook heads it ("Part 2: a TensorFlow step"), with every
problem its cases showed, grouped by cause; a named bug's hint comes first, its fix behind
"Show the fix", and a link to the book's section that teaches it (under the course's book
address, :func:`autograder.course.book_url`). Messages are Markdown lines (`code`,
*emphasis*). A stage legend explains only the stages of the parts that have them. A part
that recorded a picture of its steps and lost points shows it (:mod:`.step_picture`).

The page speaks the submission's language (``Result.language``): its labels and stage names
come from the catalogue (:mod:`autograder.messages`), the parts' messages were worded in it
when judged, and the status, kept in the instructor's English, is shown translated.

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

from autograder import (assignments, book_sections, course, feedback_exchange, if_changed,
                        parts, step_picture)
from autograder.judging.wording import FIX, READ
# say(): the page's phrases in the learner's language; their fields are HTML already (the
# catalogue's feedback phrases hold no markup of their own).
from autograder.messages import current, say, speaking, translated_status
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


# The stages a legend explains (what each checks: the catalogue's stage_meaning.*); the
# page explains only those its parts have.
EXPLAINED_STAGES = ("one step", "trajectory", "convergence")


def _stage_key(stage: str) -> str:
    return stage.replace(" ", "_")


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
    """A link to a book section under ``book_url`` (also the class report's), in the edition
    of the language being spoken."""
    try:
        href, words = book_sections.resolve(section, current())
    except book_sections.UnknownSection:  # a slip of the grader's: say it, link nothing
        return escape(section)
    return f'<a href="{escape(book_url.rstrip("/"))}/{escape(href)}">{inline(words)}</a>'


def _section_link(section: str, book_url: str) -> str:
    return f'<p class="read">{say("feedback.read", link=section_link(section, book_url))}</p>'


def finding(message: str, book_url: str) -> str:
    """A part's message as HTML: its lines as paragraphs, each fix behind "Show the fix"
    (the hint comes first), each section of the book as a link. A line that is a status (a
    part never judged carries its submission's) is shown in the language being spoken."""
    html = []
    for line in message.split("\n"):
        if line.startswith(FIX):
            html.append(f"<details><summary>{say('feedback.show_fix')}</summary>"
                        f"<p>{inline(line[len(FIX):])}</p></details>")
        elif line.startswith(READ):
            html.append(_section_link(line[len(READ):].strip(), book_url))
        elif line.strip():
            html.append(f"<p>{inline(translated_status(line, current()))}</p>")
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
    late = escape(say("feedback.late", raw=_points(result.raw_score),
                      penalty=_points(result.late_penalty), score=_points(result.score)))
    return f'<p class="late">{late}</p>\n'


def render(result: Result, book_url: str | None = None) -> str:
    """The learner's page, in the submission's language."""
    with speaking(result.language):
        return _render(result, course.book_url() if book_url is None else book_url)


def _render(result: Result, book_url: str) -> str:
    titles, stages = _course_parts(result.assignment)
    rows, staged = [], []
    for part in result.parts:
        title = titles.get(part.grade_id, part.grade_id)
        own_stages = stages.get(part.grade_id, ())
        reached = ""
        if own_stages and part.stage in own_stages:
            staged += [stage for stage in own_stages if stage not in staged]
            stage = f"<em>{escape(say('stage.' + _stage_key(part.stage)))}</em>"
            reached = f'<p class="stage">{say("feedback.stage_reached", stage=stage)}</p>\n'
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
        items = "\n".join("<li>" + say(
            "feedback.legend_item", stage=f"<em>{escape(say('stage.' + _stage_key(stage)))}</em>",
            meaning=escape(say("stage_meaning." + _stage_key(stage)))) + "</li>"
            for stage in staged if stage in EXPLAINED_STAGES)
        legend = f"<p>{say('feedback.stages')}</p>\n<ul>\n{items}\n</ul>"
    errors = ""
    if result.learner_errors:
        items = "\n".join(f"<li>{inline(e)}</li>" for e in result.learner_errors)
        errors = (f"<h2>{say('feedback.errors')}</h2>\n"
                  f"<p>{say('feedback.errors_raised')}</p>\n<ul>\n{items}\n</ul>")
    total_class = _score_class(result.score, result.max_score)
    body_rows = "\n".join(rows)
    learner = escape(learner_key(result.learner_id))
    title = say("feedback.title", assignment=escape(result.assignment), learner=learner)
    heading = say("feedback.heading", assignment=f"<code>{escape(result.assignment)}</code>")
    points = escape(say("feedback.points_of", score=_points(result.score),
                        max_score=_points(result.max_score)))
    score = say("feedback.score", points=f'<strong class="{total_class}">{points}</strong>')
    status = say("feedback.status", status=escape(translated_status(result.status,
                                                                      result.language)))
    head = "".join(f"<th>{say(key)}</th>"
                   for key in ("feedback.part", "feedback.points", "feedback.found"))
    return f"""<!DOCTYPE html>
<html lang="{escape(result.language)}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{heading}</h1>
<p>{say("feedback.learner", learner=f"<strong>{learner}</strong>")}</p>
<p>{score}</p>
{_late_line(result)}<p>{status}</p>
<h2>{say("feedback.parts")}</h2>
<table>
<thead><tr>{head}</tr></thead>
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
    from beside the graded ``notebook``). A page that would not change is left as it is."""
    folder = out_dir / "feedback" / learner_key(result.learner_id) / result.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.assignment}.html"
    if_changed.write_text(path, render(result))
    feedback_exchange.write_beside(folder, result.submitted_at, notebook)
    return path
