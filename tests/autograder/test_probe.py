"""The kernel side: what the probe may import, what it writes, how it behaves in each mode."""

from __future__ import annotations

import ast
import json
import sys

import numpy as np
import pytest

from autograder import probe, protocol
from autograder.assignments import REPO_ROOT
from notebooks import environment

# What a grading kernel may import besides the files in KERNEL_MODULES.
THIRD_PARTY = {"numpy", "tensorflow"}
LAZY_OUTSIDE_SANDBOX = {"autograder.verdict"}  # plain mode only, never in the sandbox


def _module_name(path: str) -> str:
    parts = path.removeprefix("book/").removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node, [node.module] + [f"{node.module}.{a.name}" for a in node.names]


def test_kernel_modules_import_only_each_other_numpy_and_tensorflow():
    kernel = {_module_name(path) for path in protocol.KERNEL_MODULES}
    for path in protocol.KERNEL_MODULES:
        assert (REPO_ROOT / path).is_file(), path
        tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node, names in _imports(tree):
            for name in names:
                root = name.split(".")[0]
                allowed = (root in sys.stdlib_module_names or root in THIRD_PARTY
                           or name in kernel or name.rsplit(".", 1)[0] in kernel
                           or (name in LAZY_OUTSIDE_SANDBOX and id(node) not in top_level))
                if root == "__future__":
                    allowed = True
                assert allowed, f"{path} imports {name}, which a grading kernel cannot see"


def test_the_package_init_imports_nothing():
    tree = ast.parse((REPO_ROOT / "autograder/__init__.py").read_text(encoding="utf-8"))
    assert not list(_imports(tree))


def _wrong_step(W, b, inputs, outputs, learning_rate):
    return W, b  # no update at all


def _right_step(W, b, inputs, outputs, learning_rate):
    residual = inputs * W + b - outputs
    return (W - learning_rate * 2 * np.mean(residual * inputs),
            b - learning_rate * 2 * np.mean(residual))


def test_sandbox_mode_appends_one_strict_json_line_per_check_and_never_judges(tmp_path):
    with environment(TTT_REPORT_DIR=tmp_path, TTT_GRADING_SEED=12):
        assert probe.check_train_step_numpy(_wrong_step) is None
        assert probe.check_train_step_numpy(_right_step) is None
    lines = (tmp_path / "report.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0], parse_constant=pytest.fail)
    assert (record["grade_id"], record["check"], record["seed"]) == (
        "test_train_step_numpy", "train_step_numpy", 12)
    assert [run["scenario"] for run in record["runs"]] == ["start 1", "start 2", "start 3"]
    assert all(isinstance(w, float) for run in record["runs"] for w in run["W"])


def test_errors_and_blow_ups_are_recorded_as_text(tmp_path):
    def raises(*args):
        raise ZeroDivisionError("oops")

    def explodes(W, b, inputs, outputs, learning_rate):
        return W * 1e300, b

    with environment(TTT_REPORT_DIR=tmp_path, TTT_GRADING_SEED=3):
        probe.check_train_step_numpy(raises)
        probe.check_train_step_numpy(explodes)
    raised, exploded = [json.loads(line) for line in
                        (tmp_path / "report.jsonl").read_text().splitlines()]
    assert raised["runs"][0] == {"scenario": "start 1", "W": [], "b": [],
                                 "error": "ZeroDivisionError: oops"}
    assert exploded["runs"][0]["W"][-1] in ("inf", "-inf")


def test_plain_mode_judges_in_the_kernel(capsys):
    with environment(TTT_GRADING_SEED=21):
        import os
        os.environ.pop("TTT_REPORT_DIR", None)
        assert probe.check_train_step_numpy(_right_step) == 4.0
        with pytest.raises(AssertionError, match="no update at all"):
            probe.check_train_step_numpy(_wrong_step)
    assert "[passed] 4 of 4 points" in capsys.readouterr().out


def test_the_seed_comes_from_the_environment_or_is_fresh_per_kernel():
    with environment(TTT_GRADING_SEED=77):
        assert probe.grading_seed() == 77
    import os
    saved = os.environ.pop("TTT_GRADING_SEED", None)
    try:
        assert probe.grading_seed() == probe.grading_seed() >= 0  # one seed per kernel
    finally:
        if saved is not None:
            os.environ["TTT_GRADING_SEED"] = saved
    # Two kernels without the variable draw their own seeds: different, and in [0, 2**31).
    import subprocess

    clean = {k: v for k, v in os.environ.items() if k != protocol.SEED_VARIABLE}
    seeds = [int(subprocess.run(
        [sys.executable, "-c", "from autograder import probe; print(probe.grading_seed())"],
        capture_output=True, text=True, check=True, env=clean, cwd=REPO_ROOT).stdout)
        for _ in range(2)]
    assert seeds[0] != seeds[1]
    assert all(0 <= seed < 2**31 for seed in seeds)


def test_an_array_parts_cases_run_in_an_order_no_call_can_count_on(tmp_path):
    """The cases of a part run in an order drawn from the operating system (a learner's
    function cannot find a special case by counting its calls), recorded in case order."""
    from autograder import parts

    spec = parts.part("tensors", "softmax_rows")
    orders = set()
    with environment(TTT_REPORT_DIR=tmp_path, TTT_GRADING_SEED=5):
        for _ in range(12):
            seen = []

            def softmax_rows(logits):
                seen.append(logits.shape)
                z = np.exp(logits - logits.max(axis=1, keepdims=True))
                return z / z.sum(axis=1, keepdims=True)

            probe.check(spec.key, {"softmax_rows": softmax_rows}, cases=spec.cases,
                        call=spec.call)
            orders.add(tuple(seen))
    assert len(orders) > 1  # 3 cases: all 12 runs in one order has odds of 6**-11
    records = [json.loads(line) for line in (tmp_path / "report.jsonl").read_text().splitlines()]
    assert all([run["case"] for run in record["runs"]] == [c["name"] for c in spec.cases]
               for record in records)


def test_an_exception_whose_message_raises_is_still_recorded():
    from autograder import calling

    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert calling.describe(Unprintable()) == "Unprintable: (its message could not be read)"
