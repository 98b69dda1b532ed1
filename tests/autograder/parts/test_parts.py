"""Every graded part, through its spec (autograder/parts/): the reference earns full marks on
every seed, each named bug is diagnosed as itself and can never be taken for another, a
released stub earns nothing, and the registry refuses spec files that break its rules.

The reports are built outside any kernel (tests/autograder/reports.py) and judged as the
grading command judges them, by autograder.verdict; no TensorFlow is needed.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import json
import sys
import textwrap

import numpy as np
import pytest

import reports
from autograder import calling, cases, parts, probe
from autograder import verdict
from autograder.judging.arrays import ATOL, RTOL, Output, all_match
from autograder.parts import SpecError
from autograder.parts.spec import ArrayPart, CustomPart

SEEDS = range(40)

ALL_PARTS = [(assignment, name) for assignment in parts.assignments()
             for name in parts.parts(assignment)]
ARRAY_PARTS = [(a, n) for a, n in ALL_PARTS if isinstance(parts.part(a, n), ArrayPart)]
TENSOR_PARTS = [(a, n) for a, n in ARRAY_PARTS if parts.part(a, n).require_tensor]


def _ids(pairs):
    return [f"{assignment}/{name}" for assignment, name in pairs]


def _judge(spec, record: dict, seed: int):
    """The verdict on a report line, read back from strict JSON as the grader reads it."""
    return verdict.judge_record(spec.assignment, json.loads(json.dumps(record, allow_nan=False)),
                                seed)


# --- the reference, the bugs, a stub -----------------------------------------------------

@pytest.mark.parametrize("assignment, name", ARRAY_PARTS, ids=_ids(ARRAY_PARTS))
def test_the_reference_earns_full_marks_on_every_seed(assignment, name):
    spec = parts.part(assignment, name)
    for seed in SEEDS:
        result = _judge(spec, reports.array_record(spec, seed), seed)
        assert (result.score, result.max_score, result.stage) == (
            spec.points, spec.points, "passed"), (seed, result.message)
        assert result.message == spec.passed_message


@pytest.mark.parametrize("assignment, name", ARRAY_PARTS, ids=_ids(ARRAY_PARTS))
def test_each_bug_is_diagnosed_as_itself(assignment, name):
    spec = parts.part(assignment, name)
    assert spec.bugs, f"{spec.key} names no bug"
    names = [bug.name for bug in spec.bugs]
    assert len(set(names)) == len(names)
    for bug, seed in itertools.product(spec.bugs, SEEDS):
        result = _judge(spec, reports.array_record(spec, seed, bug), seed)
        assert f"Bug: {bug.name}" in result.message, (seed, result.message)
        assert not [other for other in names if other != bug.name
                    and f"Bug: {other}" in result.message], (seed, result.message)
        assert result.score < result.max_score and result.stage != "passed", seed


def _outputs(make, case) -> list[Output] | None:
    """What ``make(case)`` gives as recorded outputs, or None where it does not apply."""
    try:
        made = make(case)
    except (ValueError, IndexError):
        return None
    return [Output(np.asarray(o, dtype=np.float64), True) for o in made] if made else None


def _same(first: list[Output], second: list[Output], rtol: float, atol: float) -> bool:
    """Would the judge take one for the other, either way round?"""
    return (all_match(first, [o.values for o in second], rtol, atol)
            or all_match(second, [o.values for o in first], rtol, atol))


@pytest.mark.parametrize("assignment, name", ARRAY_PARTS, ids=_ids(ARRAY_PARTS))
def test_no_two_bugs_and_no_bug_and_the_reference_can_be_confused(assignment, name):
    spec = parts.part(assignment, name)
    # The looser of the part's tolerances and the ones bugs are matched with (the defaults).
    rtol, atol = max(spec.rtol, RTOL), max(spec.atol, ATOL)
    # A bug may give the reference's own outputs on some case (no overflow on small
    # logits): that case is right, and the bug is caught on the others. Such a case must be
    # one by design, the same on every seed, never a coincidence of the draw.
    invisible_by_seed = []
    for seed in SEEDS:
        invisible, shown = set(), set()
        with np.errstate(all="ignore"):
            for index, case in enumerate(spec.draw(seed)):
                reference = _outputs(spec.reference, case)
                made = {bug.name: _outputs(bug.outputs, case) for bug in spec.bugs}
                applies = {bug: outputs for bug, outputs in made.items() if outputs is not None}
                for bug, outputs in applies.items():
                    if _same(outputs, reference, rtol, atol):
                        invisible.add((bug, index))
                    else:
                        shown.add(bug)
                for (first, one), (second, other) in itertools.combinations(applies.items(), 2):
                    if (first, index) in invisible:
                        continue  # the reference's own outputs: a right case, not a bug
                    assert not _same(one, other, rtol, atol), (seed, case.name, first, second)
        assert shown == {bug.name for bug in spec.bugs}, seed  # each shows on some case
        invisible_by_seed.append(invisible)
    assert all(invisible == invisible_by_seed[0] for invisible in invisible_by_seed), (
        "a bug gives the reference's outputs on some seeds only: widen the case's draw")


def _stub_record(spec, seed: int) -> dict:
    """What the probe writes for a released notebook: every call raised the stub's error."""
    error = calling.describe(NotImplementedError())
    assert error.startswith("NotImplementedError")
    return {"grade_id": spec.grade_id, "check": spec.name, "seed": seed,
            "runs": [{"case": case.name, "outputs": [], "error": error}
                     for case in spec.draw(seed)]}


@pytest.mark.parametrize("assignment, name", ARRAY_PARTS, ids=_ids(ARRAY_PARTS))
def test_a_released_stub_earns_nothing(assignment, name):
    spec = parts.part(assignment, name)
    for seed in SEEDS[:5]:
        result = _judge(spec, _stub_record(spec, seed), seed)
        assert (result.score, result.stage) == (0.0, "error"), result.message
        assert "NotImplementedError" in result.message and "Bug:" not in result.message


@pytest.mark.parametrize("assignment, name", TENSOR_PARTS, ids=_ids(TENSOR_PARTS))
def test_the_right_numbers_as_numpy_earn_half(assignment, name):
    spec = parts.part(assignment, name)
    for seed in SEEDS[:10]:
        result = _judge(spec, reports.array_record(spec, seed, tensor=False), seed)
        assert result.score == round(0.5 * spec.points, 4), result.message  # half, every case
        assert result.stage == "one step" and "not a tf.Tensor" in result.message


# --- the registry's rules, on the real parts ---------------------------------------------

def test_the_registry_finds_parts_of_both_kinds():
    assert ARRAY_PARTS and TENSOR_PARTS
    assert any(isinstance(parts.part(a, n), CustomPart) for a, n in ALL_PARTS)
    # In the book's order: by the CHAPTER each assignment's package sets.
    chapters = [importlib.import_module(f"autograder.parts.{a}").CHAPTER
                for a in parts.assignments()]
    assert chapters == sorted(chapters) and len(set(chapters)) == len(chapters)
    found = {p.name for p in parts.FOLDER.iterdir()
             if (p / "__init__.py").is_file() and not p.name.startswith("_")}
    assert set(parts.assignments()) == found


@pytest.mark.parametrize("assignment", parts.assignments())
def test_parts_are_numbered_one_to_n_and_named_like_their_files(assignment):
    specs = parts.parts(assignment)
    assert [spec.number for spec in specs.values()] == list(range(1, len(specs) + 1))
    for name, spec in specs.items():
        assert (spec.name, spec.assignment, spec.key) == (name, assignment, f"{assignment}/{name}")
        assert spec.grade_id == f"test_{name}"
        assert (parts.FOLDER / assignment / f"{name}.py").is_file()
        assert spec.points > 0 and spec.summary and spec.functions


def test_every_part_draws_from_its_own_stream():
    streams = [cases.stream(parts.part(a, n).key) for a, n in ALL_PARTS]
    assert len(set(streams)) == len(ALL_PARTS)


def _check_call(code: str) -> ast.Call:
    """The ``_points = probe.<check>(...)`` call of a hidden block."""
    tree = ast.parse(code)
    calls = [node.value for node in tree.body if isinstance(node, ast.Assign)
             and [t.id for t in node.targets] == ["_points"]]
    assert len(calls) == 1 and isinstance(calls[0], ast.Call)
    assert isinstance(calls[0].func, ast.Attribute) and calls[0].func.value.id == "probe"
    return calls[0]


@pytest.mark.parametrize("assignment, name", ALL_PARTS, ids=_ids(ALL_PARTS))
def test_the_hidden_block_compiles_and_says_what_the_spec_says(assignment, name):
    spec = parts.part(assignment, name)
    code = spec.hidden_code()
    compile(code, f"{spec.key} hidden block", "exec")
    call = _check_call(code)
    if isinstance(spec, ArrayPart):
        assert call.func.attr == "check"
        key, functions = (ast.literal_eval(arg) if isinstance(arg, ast.Constant) else arg
                          for arg in call.args)
        assert key == spec.key
        assert [k.value for k in functions.keys] == [v.id for v in functions.values] == list(
            spec.functions)
        keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        # The kernel draws the same cases and calls the same way as the grader judges.
        assert keywords == {"cases": spec.cases, "call": spec.call}
        assert inspect.signature(probe.check).bind(key, {}, **keywords)
    else:
        assert call.func.attr == spec.check and not call.keywords
        assert [arg.id for arg in call.args] == list(spec.functions)


@pytest.mark.parametrize("assignment, name",
                         [(a, n) for a, n in ALL_PARTS
                          if isinstance(parts.part(a, n), CustomPart)])
def test_a_custom_part_names_a_probe_check_that_takes_its_functions(assignment, name):
    spec = parts.part(assignment, name)
    check = getattr(probe, spec.check, None)
    assert callable(check), f"autograder.probe has no {spec.check}"
    assert list(inspect.signature(check).parameters) == list(spec.functions)


def test_unknown_assignments_and_parts_are_named():
    with pytest.raises(ValueError, match="unknown assignment 'nope'; the assignments are "
                                         + ", ".join(parts.assignments())):
        parts.parts("nope")
    with pytest.raises(ValueError, match=r"tensors has no part 'nope'; its parts are softmax"):
        parts.part("tensors", "nope")


# --- the registry's rules, on spec files made for the test --------------------------------

GOOD_SPEC = """
from autograder.cases import case, normal
from autograder.parts.spec import ArrayPart, Bug

PART = ArrayPart(
    number={number}, points=1, summary="`f`", functions=("f",),
    cases=[case("c", arrays={{"a": normal(2)}})],
    call={{"function": "{function}", "args": [["numpy", "a"]], "record": [["result"]]}},
    reference=lambda case: [case.arrays["a"]], passed="softmax_rows")
"""


@pytest.fixture
def fake_registry(tmp_path, monkeypatch):
    """An empty parts folder in place of autograder/parts/, importable as autograder.parts.

    Yields ``write(relative path, text)``; the registry's caches and the imported fake
    modules are cleared before and after, so the real registry is untouched."""
    def forget():
        parts.assignments.cache_clear()
        parts.parts.cache_clear()
        for module in [m for m in sys.modules if m.startswith("autograder.parts.fake_")]:
            del sys.modules[module]

    def write(path: str, text: str = "") -> None:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        importlib.invalidate_caches()

    forget()
    monkeypatch.setattr(parts, "FOLDER", tmp_path)
    monkeypatch.setattr(parts, "__path__", [str(tmp_path)])
    yield write
    monkeypatch.undo()
    forget()
    assert parts.part("tensors", "softmax_rows").number == 1  # the real registry is back


def _assignment(write, name="fake_one", chapter=1, **specs):
    write(f"{name}/__init__.py", f"CHAPTER = {chapter}\n")
    for part, text in specs.items():
        write(f"{name}/{part}.py", text)


def test_a_fake_registry_is_read_like_the_real_one(fake_registry):
    _assignment(fake_registry, "fake_two", 2, only=GOOD_SPEC.format(number=1, function="f"))
    _assignment(fake_registry, "fake_one", 1,
                later=GOOD_SPEC.format(number=2, function="f"),
                earlier=GOOD_SPEC.format(number=1, function="f"),
                _shared="HELPER = 1\n")  # a module starting with _ holds no part
    assert parts.assignments() == ("fake_one", "fake_two")  # by CHAPTER, not by name
    specs = parts.parts("fake_one")
    assert list(specs) == ["earlier", "later"]  # by number, not by file name
    assert specs["later"].key == "fake_one/later" and specs["later"].grade_id == "test_later"


def test_a_spec_file_without_part_is_named(fake_registry):
    _assignment(fake_registry, one=GOOD_SPEC.format(number=1, function="f"),
                two="SPEC = None\n")
    with pytest.raises(SpecError, match="autograder/parts/fake_one/two.py must define PART"):
        parts.parts("fake_one")


def test_a_part_that_is_not_a_spec_is_named(fake_registry):
    _assignment(fake_registry, one="PART = {'number': 1}\n")
    with pytest.raises(SpecError, match="autograder/parts/fake_one/one.py must define PART, "
                                        "an ArrayPart or a CustomPart"):
        parts.parts("fake_one")


@pytest.mark.parametrize("numbers", [(1, 3), (2, 3), (1, 1)])
def test_parts_numbered_out_of_order_are_refused(fake_registry, numbers):
    _assignment(fake_registry, **{f"part_{k}": GOOD_SPEC.format(number=n, function="f")
                                  for k, n in enumerate(numbers)})
    with pytest.raises(SpecError) as error:
        parts.parts("fake_one")
    message = str(error.value)
    assert "fake_one" in message and f"numbered {sorted(numbers)}" in message
    assert "1, 2, 3" in message
    assert all(f"part_{k}.py: {n}" in message for k, n in enumerate(numbers))  # which files


def test_a_spec_that_cannot_run_is_named_with_its_slip(fake_registry):
    _assignment(fake_registry, one=GOOD_SPEC.format(number=1, function="g"))
    with pytest.raises(SpecError, match=r"autograder/parts/fake_one/one.py: case 'c': it calls "
                                        r"'g', which is not one of the part's functions"):
        parts.parts("fake_one")


def test_a_spec_without_a_reference_is_named(fake_registry):
    _assignment(fake_registry, one=GOOD_SPEC.format(number=1, function="f").replace(
        'reference=lambda case: [case.arrays["a"]], ', ""))
    with pytest.raises(SpecError, match="fake_one/one.py: an ArrayPart needs a reference"):
        parts.parts("fake_one")


def test_a_reference_that_is_not_a_list_of_recorded_arrays_is_named(fake_registry):
    # A bare array would fail every learner, the right ones included, at grading time.
    _assignment(fake_registry, one=GOOD_SPEC.format(number=1, function="f").replace(
        'reference=lambda case: [case.arrays["a"]]', 'reference=lambda case: case.arrays["a"]'))
    with pytest.raises(SpecError, match=r"fake_one/one.py: case 'c': the reference must return "
                                        r"a list of 1 array\(s\), one per array the call "
                                        r"template records; it returned a ndarray"):
        parts.parts("fake_one")


def test_a_bug_with_the_wrong_number_of_outputs_is_named(fake_registry):
    _assignment(fake_registry, one=GOOD_SPEC.format(number=1, function="f").replace(
        'passed="softmax_rows"', 'passed="softmax_rows", bugs=(Bug("sign_flipped", lambda '
                                 'case: [case.arrays["a"]] * 2),)'))
    with pytest.raises(SpecError, match=r"case 'c': bug 'sign flipped' must return a list of 1 "
                                        r"array\(s\) \(or \[\] where it cannot happen\); it "
                                        r"returned a list of 2"):
        parts.parts("fake_one")


@pytest.mark.parametrize("words, key", [
    ('passed="no_such_part"', "passed.no_such_part"),
    ('passed="softmax_rows", bugs=(Bug("no_such_bug", lambda case: []),)', "bug.no_such_bug.name"),
    ('passed="softmax_rows", hints=(Hint("x", "no_such_hint"),)', "hint.no_such_hint"),
])
def test_words_missing_from_the_catalogue_are_named(fake_registry, words, key):
    # A spec names its words by key: one the catalogue lacks would fail grading, not release.
    _assignment(fake_registry, one=GOOD_SPEC.format(number=1, function="f").replace(
        "import ArrayPart, Bug", "import ArrayPart, Bug, Hint").replace(
        'passed="softmax_rows"', words))
    with pytest.raises(SpecError, match=rf"fake_one/one.py: no phrase '{key}' in "
                                        r"autograder/messages.yml"):
        parts.parts("fake_one")


@pytest.mark.parametrize("name, refused", [("squares of paper", True),
                                           ("x**2 - sum(x)", False),  # a formula: no words
                                           ("small logits", False)])  # in the catalogue
def test_a_case_name_without_its_chinese_is_named(fake_registry, name, refused):
    # The feedback names the cases that went wrong, in the submission's language.
    _assignment(fake_registry, one=GOOD_SPEC.format(number=1, function="f").replace(
        'case("c"', f'case({name!r}'))
    if not refused:
        assert parts.parts("fake_one")
        return
    with pytest.raises(SpecError, match=rf"fake_one/one.py: case '{name}' has no entry in "
                                        r"autograder/messages.yml's case_name group"):
        parts.parts("fake_one")


def test_a_custom_part_without_a_check_is_named(fake_registry):
    _assignment(fake_registry, one="""
        from autograder.parts.spec import CustomPart
        PART = CustomPart(number=1, points=1, summary="s", functions=("f",), check="f",
                          judge_record=lambda record, seed: (1.0, "passed", "ok"))
        """)
    with pytest.raises(SpecError, match="fake_one/one.py: .*names a probe check_ function"):
        parts.parts("fake_one")


def test_an_assignment_needs_its_chapter(fake_registry):
    fake_registry("fake_one/__init__.py", "")
    with pytest.raises(SpecError, match=r"autograder/parts/fake_one/__init__.py must set CHAPTER"):
        parts.assignments()


def test_two_assignments_cannot_share_a_chapter(fake_registry):
    _assignment(fake_registry, "fake_one", 3)
    _assignment(fake_registry, "fake_two", 3)
    with pytest.raises(SpecError, match="two assignments share a CHAPTER number"):
        parts.assignments()
