"""The class report, OUT/report.html: what the instructor reads after a grading run.

Built from the batch's Results (the journal), never from the notebooks. One page that needs
no network and no script: inline CSS and SVG figures drawn here. It shows

- the score distribution of the whole assignment and of each part (histograms: a figure is
  read at a glance where a table is not; each has a <title> and a <desc> that says its
  counts in words, for a screen reader);
- the named bugs the verdicts diagnosed (``PartResult.bugs``), ranked by how many learners
  made each, with those learners' ids and the book section that explains the fix (linked
  as the feedback links it, under the course's book address);
- the submissions that need a person: every status but a plain "graded" (timeouts,
  crashes, corrupt files, edited tests, notes) and every grader error;
- late work: the results that carry a late penalty (autograder.lateness applied it).

Everything that came from a learner is escaped as the feedback escapes it.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from autograder import assignments, course, if_changed
from autograder.feedback import escape, inline, section_link
from autograder.plain_text import learner_key
from autograder.results import Result, rounded

REPORT_FILE = "report.html"
# Score bins of the histograms, as fractions of the maximum: nothing, full marks, and four
# quarters between (a part's partial credits fall in them).
BINS = ("0", "under 25%", "25% to 50%", "50% to 75%", "75% to full", "full")
AXIS_LABELS = ("0", "<25%", "25-50%", "50-75%", "≥75%", "full")  # short: they sit side by side

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
code { background: #f4f4f4; padding: 0 .2rem; border-radius: 3px; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; flex: 1 1 18rem; max-width: 26rem; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: .95rem; font-weight: 600; }
.bar { fill: #2b6ca3; } .axis { stroke: #444; } svg text { font-size: 11px; fill: #1a1a1a; }
"""


def score_bin(score: float, max_score: float) -> int:
    """Which of :data:`BINS` a score falls in."""
    if score <= 0 or max_score <= 0:
        return 0
    if score >= max_score:
        return len(BINS) - 1
    return 1 + min(3, int(4 * score / max_score))


def histogram(figure_id: str, caption: str, scores: list[tuple[float, float]]) -> str:
    """A bar chart of how many (score, max_score) pairs fall in each bin, as an inline SVG
    figure whose <title> and <desc> say what it shows."""
    counts = [0] * len(BINS)
    for score, max_score in scores:
        counts[score_bin(score, max_score)] += 1
    width, height, left, bottom, top = 360, 170, 30, 40, 18
    step = (width - left) / len(BINS)
    tallest = max(counts) or 1
    bars = []
    for k, (label, axis_label, count) in enumerate(zip(BINS, AXIS_LABELS, counts)):
        bar_height = (height - bottom - top) * count / tallest
        x, y = left + k * step + 4, height - bottom - bar_height
        bars.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step - 8:.1f}" '
            f'height="{bar_height:.1f}"><title>{escape(label)}: {count}</title></rect>'
            f'<text x="{x + (step - 8) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
            f'{count}</text>'
            f'<text x="{x + (step - 8) / 2:.1f}" y="{height - bottom + 14:.1f}" '
            f'text-anchor="middle">{escape(axis_label)}</text>')
    words = "; ".join(f"{label}: {count}" for label, count in zip(BINS, counts))
    plain_caption = caption.replace("`", "")
    return (f'<figure><figcaption>{inline(caption)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-labelledby="{figure_id}-title {figure_id}-desc">'
            f'<title id="{figure_id}-title">Score distribution: {escape(plain_caption)}</title>'
            f'<desc id="{figure_id}-desc">Learners per share of the points: {escape(words)}.'
            f'</desc>'
            f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width}" '
            f'y2="{height - bottom}"/>{"".join(bars)}'
            f'<text x="{(left + width) / 2:.0f}" y="{height - 6}" text-anchor="middle">'
            f'share of the points (learners per bar)</text></svg></figure>')


def ranked_bugs(results: list[Result]) -> list[tuple[str, str, list[str], list[str]]]:
    """(bug name, book section, learner ids, grade ids of the parts it was found in) of
    every named bug, the most learners first (then by name)."""
    learners, found_in = defaultdict(set), defaultdict(list)
    for result in results:
        for part in result.parts:
            for name, section in part.bugs:
                learners[name, section].add(result.learner_id)
                if part.grade_id not in found_in[name, section]:
                    found_in[name, section].append(part.grade_id)
    order = sorted(learners, key=lambda bug: (-len(learners[bug]), bug))
    return [(name, section, sorted(learners[name, section]), found_in[name, section])
            for name, section in order]


def needs_a_person(result: Result) -> bool:
    return result.status != "graded" or any(part.grader_error for part in result.parts)


def _ids(learner_ids) -> str:
    return ", ".join(f"<code>{escape(learner_key(learner))}</code>" for learner in learner_ids)


def _section(section: str, book_url: str) -> str:
    return section_link(section, book_url) if section else ""


def _points(value: float) -> str:
    return f"{rounded(value):g}"


def _part_titles(assignment: str, results: list[Result]) -> dict[str, str]:
    """{grade_id: title} in the notebook's order (a grade id of an unknown assignment is
    its own title)."""
    known = (assignments.get(assignment).part_titles
             if assignment in assignments.ASSIGNMENTS else {})
    titles = dict(known)
    for result in results:
        for part in result.parts:
            titles.setdefault(part.grade_id, part.grade_id)
    return titles


def _distribution(results: list[Result], titles: dict[str, str]) -> str:
    figures = [histogram("total", "The whole assignment",
                         [(r.score, r.max_score) for r in results])]
    unscored = []
    for k, (grade_id, title) in enumerate(titles.items()):
        scores = [(part.score, part.max_score) for result in results
                  for part in result.parts if part.grade_id == grade_id]
        if scores:
            figures.append(histogram(f"part{k + 1}", title, scores))
        else:  # an empty chart would read as "everyone scored nothing"
            unscored.append(inline(title))
    note = f"<p>No results for {', '.join(unscored)}.</p>\n" if unscored else ""
    return note + '<div class="figures">\n' + "\n".join(figures) + "\n</div>"


def _bugs(results: list[Result], titles: dict[str, str], book_url: str) -> str:
    bugs = ranked_bugs(results)
    if not bugs:
        return "<p>No named bug was diagnosed.</p>"
    rows = "\n".join(
        f'<tr><td>{inline(name)}</td><td class="count">{len(learners)}</td>'
        f'<td>{"<br>".join(inline(titles.get(g, g)) for g in grade_ids)}</td>'
        f'<td>{_ids(learners)}</td><td>{_section(section, book_url)}</td></tr>'
        for name, section, learners, grade_ids in bugs)
    return ('<table class="bugs">\n<thead><tr><th>Bug</th><th>Learners</th><th>Found in</th>'
            '<th>Who</th><th>Explained in the book</th></tr></thead>\n'
            f'<tbody>\n{rows}\n</tbody>\n</table>')


def _people(results: list[Result], titles: dict[str, str]) -> str:
    flagged = sorted((r for r in results if needs_a_person(r)),
                     key=lambda r: (r.status.startswith("graded"), r.status, r.learner_id))
    if not flagged:
        return "<p>Every submission was graded without a note.</p>"
    rows = "\n".join(
        f'<tr><td>{_ids([r.learner_id])}</td><td>{escape(r.status)}'
        + "".join(f"<br>grader error in {inline(titles.get(p.grade_id, p.grade_id))}"
                  for p in r.parts if p.grader_error)
        + f'</td><td>{_points(r.score)} / {_points(r.max_score)}</td></tr>' for r in flagged)
    return ('<table class="people">\n<thead><tr><th>Learner</th><th>Status</th>'
            f'<th>Points</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>')


def _late(results: list[Result]) -> str:
    late = sorted((r for r in results if r.late_penalty > 0), key=lambda r: r.learner_id)
    if not late:
        return "<p>No submission carries a late penalty.</p>"
    rows = "\n".join(
        f'<tr><td>{_ids([r.learner_id])}</td>'
        f'<td>{escape(r.submitted_at.isoformat(" ", "minutes")) if r.submitted_at else ""}</td>'
        f'<td>{_points(r.raw_score if r.raw_score is not None else r.score)}</td>'
        f'<td>{_points(r.late_penalty)}</td>'
        f'<td>{_points(r.score)} / {_points(r.max_score)}</td></tr>' for r in late)
    return ('<table class="late">\n<thead><tr><th>Learner</th><th>Submitted</th>'
            '<th>Raw score</th><th>Penalty</th><th>Final score</th></tr></thead>\n'
            f'<tbody>\n{rows}\n</tbody>\n</table>')


def render(assignment: str, results: list[Result], book_url: str | None = None) -> str:
    book_url = course.book_url() if book_url is None else book_url
    results = sorted(results, key=lambda r: r.learner_id)
    titles = _part_titles(assignment, results)
    full = sum(1 for r in results if r.full_marks)
    mean = sum(r.score for r in results) / len(results) if results else 0.0
    top = max((r.max_score for r in results), default=0.0)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Class report: {escape(assignment)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Class report on <code>{escape(assignment)}</code></h1>
<p>{len(results)} submissions; mean score {_points(mean)} of {_points(top)} points;
{full} with full marks.</p>
<h2 id="distribution">Score distribution</h2>
{_distribution(results, titles)}
<h2 id="bugs">Bugs, the most common first</h2>
{_bugs(results, titles, book_url)}
<h2 id="attention">Submissions that need a person</h2>
{_people(results, titles)}
<h2 id="late">Late work</h2>
{_late(results)}
</body>
</html>
"""


def write_report(out_dir: Path, assignment: str, results: list[Result]) -> Path | None:
    """Write OUT_DIR/report.html (unless it would not change) and return its path; a page
    that cannot be written is a warning, not the end of the run (the gradebook is recorded
    after it)."""
    path = out_dir / REPORT_FILE
    try:
        if_changed.write_text(path, render(assignment, results))
    except OSError as error:
        print(f"autograder: warning: no class report {path}: {error.strerror or error}",
              file=sys.stderr)
        return None
    return path
