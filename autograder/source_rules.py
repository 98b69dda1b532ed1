"""OUTSIDE the kernel: what a part's code may and must use, read from its source.

Some parts ask for the mechanism, not only the numbers: an Adam step "(NumPy)" earns
nothing when TensorFlow's Adam takes it, a momentum step "without a Keras optimizer"
nothing when Keras's SGD does. The numbers cannot tell, so the grader reads the code: a
part's :class:`SourceRule` names what its code must not use (``forbidden``) and what it must
(``required``), checked with :mod:`ast` on names, attributes and imports, never on
comments or strings.

A part's code is its answer cell and the cells the learner added after it (up to the next
cell of the instructor's, as :mod:`autograder.submission` keeps them), every top-level
statement of the learner's that defines one of the part's functions, and, followed from
there, the learner's top-level statements that define the global names this code reads
(a helper, an alias like ``import tensorflow.keras as K``). A cell that does not parse is
left out: the kernel failed on it as well, so nothing it defines ran (IPython's ``%magic``
and ``!shell`` lines are read as ``pass``, the Python around them runs). Obfuscated uses
(``getattr`` with built strings, ``exec``, ``__import__``) get past such a check; a
reviewer reading the notebook sees them.

:func:`breaches` finds the breaches of a rebuilt notebook; :func:`applied` turns each into
0 points for its part, the feedback naming the use and the line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Iterable

from autograder.judging.wording import Named, named_bug
from autograder.messages import say
from autograder.results import PartResult

RULE_BREACH = Named("rule_breach")
BUG_NAME = RULE_BREACH.english_name  # as the class report counts it
# A NumPy part's forbidden names: the libraries that would take its step for it.
NUMPY_ONLY = ("tensorflow", "tf", "keras", "torch", "jax")


@dataclass(frozen=True)
class SourceRule:
    """What a part's code may not use and must use."""

    # What the part asks for, the catalogue's ``asks.<key>``: it follows "Part 4 asks you ",
    # "to write Adam's update yourself, in NumPy".
    asks: str
    forbidden: tuple[str, ...] = ()  # names, attributes or modules (a dotted use's parts)
    required: tuple[str, ...] = ()  # each must appear in the part's code
    section: str = ""  # the book's section that teaches the mechanism


@dataclass(frozen=True)
class Breach:
    grade_id: str  # the part's test cell
    # The feedback, worded when the part is judged: in the submission's language then.
    explain: Callable[[], str]
    section: str

    @property
    def message(self) -> str:
        return self.explain()


@dataclass(frozen=True)
class _Statement:
    node: ast.stmt
    cell: int  # its cell's index in the notebook


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _python(source: str) -> str:
    """The cell's code with IPython's ``%magic`` and ``!shell`` lines as ``pass`` (line
    numbers kept): the Python around them still runs in the kernel."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append(line[:len(line) - len(stripped)] + "pass"
                     if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def _learner_statements(notebook) -> tuple[list[_Statement], dict[str, list[_Statement]]]:
    """(every top-level statement of the learner's cells, {answer grade_id: the statements
    of its answer cell and the cells added after it})."""
    everything, blocks, current = [], {}, None
    for index, cell in enumerate(notebook["cells"]):
        meta = _nbgrader(cell)
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            current = None  # the instructor's cell: what follows is no answer's
            continue
        if meta.get("solution"):
            current = meta.get("grade_id")
            blocks.setdefault(current, [])
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        try:
            tree = ast.parse(_python(source))
        except (SyntaxError, ValueError, RecursionError):  # the kernel failed on it too
            continue
        statements = [_Statement(node, index) for node in tree.body]
        everything += statements
        if current is not None:
            blocks[current] += statements
    return everything, blocks


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _bound(node: ast.AST) -> set[str]:
    """Global names a top-level statement binds (not the locals of a function in it)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return {node.id}
    if isinstance(node, ast.Lambda):
        return set()
    return set().union(*(_bound(child) for child in ast.iter_child_nodes(node)))


def _reads(node: ast.AST) -> set[str]:
    """Global names a statement reads: a function's parameters, and names assigned anywhere
    in it, are its locals (Python's rule)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = node.args
        local = {a.arg for a in [*arguments.posonlyargs, *arguments.args,
                                 *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
                 if a is not None}
        body = node.body if isinstance(node.body, list) else [node.body]
        for statement in body:
            for inner in ast.walk(statement):
                local |= _bound(inner) if isinstance(inner, (*_SCOPES, ast.Import,
                                                             ast.ImportFrom)) else set()
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    local.add(inner.id)
        outside = [*arguments.defaults, *arguments.kw_defaults,
                   *getattr(node, "decorator_list", [])]
        read = set().union(*(_reads(part) for part in [*body, *outside] if part is not None))
        return read - local
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return {node.id}
    return set().union(*(_reads(child) for child in ast.iter_child_nodes(node)))


def _flat(node: ast.AST, context: type) -> set[str]:
    """Every name a statement stores or loads, scopes ignored: the fallback for a statement
    too deeply nested to read by scope (it compiles, Python's recursion limit is lower)."""
    return {inner.id for inner in ast.walk(node)
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, context)}


def _binds(node: ast.AST) -> set[str]:
    try:
        return _bound(node)
    except RecursionError:
        return _flat(node, ast.Store) | {inner.name for inner in ast.walk(node) if isinstance(
            inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _needs(node: ast.AST) -> set[str]:
    try:
        return _reads(node)
    except RecursionError:
        return _flat(node, ast.Load)


def part_code(notebook, answer_id: str, functions: Iterable[str]) -> list[_Statement]:
    """The statements that make a part's code (see the module's docstring), in notebook
    order."""
    everything, blocks = _learner_statements(notebook)
    binders: dict[str, list[_Statement]] = {}
    for statement in everything:
        for name in _binds(statement.node):
            binders.setdefault(name, []).append(statement)
    chosen = {id(s): s for s in blocks.get(answer_id, [])}
    for name in functions:
        chosen.update((id(s), s) for s in binders.get(name, []))
    todo = list(chosen.values())
    while todo:
        for name in _needs(todo.pop().node):
            for statement in binders.get(name, []):
                if id(statement) not in chosen:
                    chosen[id(statement)] = statement
                    todo.append(statement)
    return sorted(chosen.values(), key=lambda s: (s.cell, s.node.lineno))


def _dotted(node: ast.AST) -> list[str] | None:
    """``tf.keras.optimizers.SGD`` as its parts, or None for another expression."""
    attributes = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    return [node.id, *reversed(attributes)] if isinstance(node, ast.Name) else None


def uses(statements: list[_Statement]) -> list[tuple[str, list[str], _Statement, int]]:
    """Every name use of the code, in order: (as written, its parts, statement, line)."""
    found = []
    for statement in statements:
        inner_values = set()
        for node in ast.walk(statement.node):
            if isinstance(node, ast.Attribute):
                inner_values.add(id(node.value))
        for node in ast.walk(statement.node):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = getattr(node, "module", None) or ""
                for alias in node.names:
                    parts = [*module.split("."), *alias.name.split(".")] if module \
                        else alias.name.split(".")
                    written = f"from {module} import {alias.name}" if module \
                        else f"import {alias.name}"
                    found.append((written, [p for p in parts if p], statement, node.lineno))
            elif isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in inner_values:
                parts = _dotted(node)
                if parts is None and isinstance(node, ast.Attribute):
                    parts = [node.attr]  # e.g. model().fit: the attribute alone
                if parts:
                    found.append((".".join(parts), parts, statement, node.lineno))
    return sorted(found, key=lambda use: (use[2].cell, use[3]))


def breach(rule: SourceRule, number: int, statements: list[_Statement],
           cell_name: Callable[[int | None], str]) -> Callable[[], str] | None:
    """The feedback on part ``number``'s code breaking its rule, as a function that words
    it in the language being spoken; None when the code keeps the rule."""
    found = uses(statements)
    bug = Named(RULE_BREACH.key, section=rule.section)

    def words(key: str, **values) -> str:
        return say(key, part=say("part.label", number=number), asks=say(f"asks.{rule.asks}"),
                   **values)

    for written, parts, statement, line in found:
        if any(name in rule.forbidden for name in parts):
            def uses_it(written=written, statement=statement, line=line) -> str:
                where = say("source_rule.where", cell=cell_name(statement.cell), line=line)
                return named_bug(bug, words("source_rule.uses", written=written, where=where),
                                 say("source_rule.fix_uses", written=written))
            return uses_it
    seen = {name for _, parts, _, _ in found for name in parts}
    missing = [name for name in rule.required if name not in seen]
    if missing:
        def never_uses_it() -> str:
            return named_bug(bug, words("source_rule.never", name=missing[0]),
                             say("source_rule.fix_never", name=missing[0]))
        return never_uses_it
    return None


def breaches(notebook, specs: Iterable, cell_name: Callable[[int | None], str]
             ) -> list[Breach]:
    """The breaches of the rebuilt notebook's parts: ``specs`` are the assignment's parts
    (:class:`autograder.parts.spec.Part`), a part's answer cell is its name."""
    found = []
    for spec in specs:
        if spec.source_rule is None:
            continue
        statements = part_code(notebook, spec.name, spec.functions)
        explain = breach(spec.source_rule, spec.number, statements, cell_name)
        if explain is not None:
            found.append(Breach(spec.grade_id, explain, spec.source_rule.section))
    return found


def applied(parts: list[PartResult], found: list[Breach]) -> list[PartResult]:
    """The verdict's parts, each part with a breach at 0 points and its message (worded now,
    in the language being spoken)."""
    by_part = {item.grade_id: item for item in found}
    return [PartResult(part.grade_id, 0.0, part.max_score, "error",
                       by_part[part.grade_id].message,
                       bugs=[(BUG_NAME, by_part[part.grade_id].section)])
            if part.grade_id in by_part else part for part in parts]
