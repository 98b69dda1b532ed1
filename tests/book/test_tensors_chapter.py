"""Chapter 1 (book/tensors/) teaches what it says.

- the broadcasting rule written out in broadcasting.md gives NumPy's and TensorFlow's result
  shapes, and refuses exactly the pairs they refuse;
- the precision numbers of shapes_and_dtypes.md behave as the prose says (a float32 running
  sum drifts, library sums do not, NumPy and TF agree only to a tolerance);
- the `x += 2` demonstration of immutability.md: the ndarray is updated in place, the
  tf.Tensor name is rebound;
- indexing.md, assembling.md and matmul.md: each NumPy cell the pages teach gives the same
  numbers as its TensorFlow twin, and the numbers the prose quotes are the ones the cells
  print; what devices.md says about devices holds on this machine (CPU only) and in
  TensorFlow's documentation;
- every page's self-check ("## Check yourself"): each answer its worked solution gives (a
  shape, a dtype, an error, what a view or `+=` does) is what NumPy and TensorFlow do, with
  the code taken from the page where the exercise or the solution shows code;
- the facts about TensorFlow that the pages state in prose still hold in the installed
  version (so an upgrade that changes one fails here, not silently in a learner's head).

The pages' `## Setup` cells import TensorFlow, so every test here is slow.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
import pages

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "tensors"

pytestmark = pytest.mark.slow


def taught(page: str):
    return pages.taught(CHAPTER / page)


@pytest.fixture(scope="module")
def broadcasting():
    return taught("broadcasting.md")


@pytest.fixture(scope="module")
def dtypes():
    return taught("shapes_and_dtypes.md")


@pytest.fixture(scope="module")
def immutability():
    return taught("immutability.md")


@pytest.fixture(scope="module")
def indexing():
    return taught("indexing.md")


@pytest.fixture(scope="module")
def assembling():
    return taught("assembling.md")


@pytest.fixture(scope="module")
def matmul():
    return taught("matmul.md")


# Every shape of rank 0 to 3 with lengths 0, 1, 2 or 3: all the cases the rule distinguishes
# (equal lengths, a 1 on either side, missing leading axes, empty axes, a mismatch).
SHAPES = [shape for rank in range(4) for shape in itertools.product((0, 1, 2, 3), repeat=rank)]


def numpy_broadcast(shape_a, shape_b):
    try:
        return np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        return None


def taught_broadcast(broadcast_shape, shape_a, shape_b):
    try:
        return broadcast_shape(shape_a, shape_b)
    except ValueError:
        return None


def test_broadcast_rule_matches_numpy_on_every_pair_of_small_shapes(broadcasting):
    disagreements = [
        (a, b, taught_broadcast(broadcasting.broadcast_shape, a, b), numpy_broadcast(a, b))
        for a, b in itertools.product(SHAPES, repeat=2)
        if taught_broadcast(broadcasting.broadcast_shape, a, b) != numpy_broadcast(a, b)
    ]
    assert disagreements == [], f"(shape_a, shape_b, taught, numpy): {disagreements[:5]}"
    # The grid holds both outcomes, so the comparison above tested refusals and results.
    outcomes = {numpy_broadcast(a, b) is None for a, b in itertools.product(SHAPES, repeat=2)}
    assert outcomes == {True, False}


def test_broadcast_rule_matches_tensorflow(broadcasting):
    import tensorflow as tf

    for shape_a, shape_b in itertools.product(SHAPES[:40], repeat=2):
        ours = taught_broadcast(broadcasting.broadcast_shape, shape_a, shape_b)
        try:
            theirs = tuple(tf.broadcast_static_shape(tf.TensorShape(shape_a), tf.TensorShape(shape_b)))
        except ValueError:
            theirs = None
        assert ours == theirs, (shape_a, shape_b)


def test_broadcast_rule_error_names_both_shapes_and_the_clash(broadcasting):
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2,\).*3 and 2"):
        broadcasting.broadcast_shape((2, 3), (2,))


def test_float32_running_sum_drifts_and_float64_does_not(dtypes):
    exact = 100_000.0
    assert abs(dtypes.float32_running - exact) > 100  # the page prints about 100958
    assert abs(dtypes.float64_running - exact) < 1e-4


def test_library_float32_sums_are_close_but_not_identical(dtypes):
    numpy_sum = float(dtypes.float32_numpy_sum)
    tf_sum = float(dtypes.float32_tf_sum.numpy())
    assert abs(numpy_sum - 100_000.0) < 1.0
    assert abs(tf_sum - 100_000.0) < 1.0
    # The page says they differ in the last digits and must be compared with a tolerance.
    assert numpy_sum != tf_sum
    np.testing.assert_allclose(numpy_sum, tf_sum, rtol=1e-5)


def test_augmented_assignment_updates_an_ndarray_in_place(immutability):
    assert immutability.array is immutability.array_alias
    np.testing.assert_array_equal(immutability.array_alias, np.full((2, 3), 2.0))


def test_augmented_assignment_rebinds_a_tensor(immutability):
    assert immutability.tensor is not immutability.tensor_alias
    np.testing.assert_array_equal(immutability.tensor_alias.numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(immutability.tensor.numpy(), np.full((2, 3), 2.0))


def same(numpy_value, tf_value):
    """A NumPy result and its TensorFlow twin hold the same numbers (and the same shape)."""
    tf_numbers = tf_value.numpy() if hasattr(tf_value, "numpy") else np.asarray(tf_value)
    assert np.shape(numpy_value) == tf_numbers.shape
    np.testing.assert_allclose(np.asarray(numpy_value, dtype=np.float64), tf_numbers.astype(np.float64), rtol=1e-6)


def solution_code(page: str, label: str) -> list[str]:
    """The lines of the ```python block in the page's `{solution} <label>` directive."""
    text = (CHAPTER / page).read_text(encoding="utf-8")
    directive = re.search(r"^(`{3,})\{solution\} " + re.escape(label) + r"\n(.*?)^\1\s*$", text,
                          re.MULTILINE | re.DOTALL)
    assert directive, f"{page}: no solution for {label}"
    code = re.search(r"^```python\n(.*?)^```", directive.group(2), re.MULTILINE | re.DOTALL)
    assert code, f"{page}: the solution of {label} has no python block"
    return [line.split("#")[0].strip() for line in code.group(1).splitlines() if line.strip()]


def exercise_code(page: str, label: str) -> str:
    """The ```python blocks of the page's `{exercise}` with this label, joined and dedented."""
    text = (CHAPTER / page).read_text(encoding="utf-8")
    directive = re.search(r"^(`{3,})\{exercise\}\n:label: " + re.escape(label) + r"\n(.*?)^\1\s*$",
                          text, re.MULTILINE | re.DOTALL)
    assert directive, f"{page}: no exercise labelled {label}"
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", directive.group(2), re.MULTILINE | re.DOTALL)
    assert blocks, f"{page}: the exercise {label} has no python block"
    return "\n".join(textwrap.dedent(code) for _, code in blocks)


def exercise_text(page: str, label: str) -> str:
    text = (CHAPTER / page).read_text(encoding="utf-8")
    directive = re.search(r"^(`{3,})\{exercise\}\n:label: " + re.escape(label) + r"\n(.*?)^\1\s*$",
                          text, re.MULTILINE | re.DOTALL)
    assert directive, f"{page}: no exercise labelled {label}"
    return directive.group(2)


# --- shapes_and_dtypes.md and broadcasting.md: the self-checks ---------------------------------

def test_precision_facts_the_prose_states():
    # "A float32 keeps 24 significant bits ...; a float64 keeps 53 bits"
    assert np.finfo(np.float32).nmant + 1 == 24 and np.finfo(np.float64).nmant + 1 == 53
    big = np.float32(2**24)  # "Above 2**24 a float32 can no longer count in ones"
    assert big + np.float32(1) == big
    assert np.float32(2**24 - 1) + np.float32(1) == big


def test_dtypes_self_check_answers(tf):
    setup = exercise_code("shapes_and_dtypes.md", "tensors-dtypes-check")
    exercise = exercise_text("shapes_and_dtypes.md", "tensors-dtypes-check")
    # The solution's answers: a dtype, or None for "it raises InvalidArgumentError".
    answers = [
        ("x32 * 0.5", "float32"),
        ("x32 + np.ones(3, dtype=np.int32)", "float64"),
        ("t32 + np.ones(3)", "float32"),
        ("t32 + t64", None),
        ("tf.reduce_mean(tf.constant([1, 2, 4]))", "int32"),
    ]
    for expression, answer in answers:
        assert f"`{expression}`" in exercise, expression
        names = {"np": np, "tf": tf}
        exec(setup, names)
        try:
            got = eval(expression, names).dtype.name
        except tf.errors.InvalidArgumentError:
            got = None
        assert got == answer, f"{expression}: {got}, the solution says {answer}"
    # The reasons and the numbers the solution gives.
    x32 = np.ones(3, dtype=np.float32)
    assert (x32 * np.float64(0.5)).dtype == np.float64
    assert not np.can_cast(np.int32, np.float32) and np.can_cast(np.int32, np.float64)
    assert np.promote_types(np.int64, np.float64) == np.float64  # "settles for float64"
    assert np.float64(2**53 + 1) == np.float64(2**53)  # which cannot hold every int64
    assert tf.constant(np.ones(3)).dtype == tf.float64
    assert (tf.ones([3]) + tf.cast(tf.constant(np.ones(3)), tf.float32)).dtype == tf.float32
    assert int(tf.reduce_mean(tf.constant([1, 2, 4]))) == 2
    assert f"{float(tf.reduce_mean(tf.constant([1.0, 2.0, 4.0]))):.7f}" == "2.3333333"


def test_broadcasting_self_check_answers(broadcasting, tf):
    for shape_a, shape_b, answer in [((3, 1), (1, 4), (3, 4)), ((8, 1, 6), (7, 1), (8, 7, 6)),
                                     ((2, 3), (3, 2), None)]:
        assert taught_broadcast(broadcasting.broadcast_shape, shape_a, shape_b) == answer
        assert numpy_broadcast(shape_a, shape_b) == answer
    rng = np.random.default_rng(0)
    tall = rng.normal(size=(5, 3))
    with pytest.raises(ValueError):
        tall - np.mean(tall, axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant(tall) - tf.reduce_mean(tf.constant(tall), axis=1)
    # A (3, 3) matrix: no error, but entry [i, j] loses the mean of row j.
    square = rng.normal(size=(3, 3))
    wrong = square - np.mean(square, axis=1)
    np.testing.assert_allclose(wrong, square - square.mean(axis=1)[np.newaxis, :])
    assert not np.allclose(wrong.mean(axis=1), 0)
    # The fixed lines of the solution centre every row, whatever the shape.
    numpy_line, tf_line = solution_code("broadcasting.md", "tensors-broadcasting-check")
    for a in (tall, square):
        for line, data in ((numpy_line, a), (tf_line, tf.constant(a))):
            names = {"np": np, "tf": tf, "a": data}
            exec(line, names)
            centred = np.asarray(names["centred"])
            assert centred.shape == a.shape
            np.testing.assert_allclose(centred.mean(axis=1), 0, atol=1e-12)


# --- immutability.md: the self-check ---------------------------------------------------------

def test_immutability_self_check_answers(tf):
    names = {}
    exec(exercise_code("immutability.md", "tensors-immutability-check"), names)
    add_one_in_place, add_one = names["add_one_in_place"], names["add_one"]

    array = np.zeros(3)
    assert add_one_in_place(array) is array  # 1. the caller's array changes
    np.testing.assert_array_equal(array, np.ones(3))

    array = np.zeros(3)
    returned = add_one(array)  # 2. a new array; the caller's is untouched
    assert returned is not array
    np.testing.assert_array_equal(array, np.zeros(3))
    np.testing.assert_array_equal(returned, np.ones(3))

    tensor = tf.zeros([3])
    returned = add_one_in_place(tensor)  # 3. a new tensor, as with add_one
    assert returned is not tensor
    np.testing.assert_array_equal(tensor.numpy(), np.zeros(3))
    np.testing.assert_array_equal(returned.numpy(), np.ones(3))

    with pytest.raises(ValueError, match="assignment destination is read-only"):
        np.asarray(tensor)[0] = 5.0
    for copy in (tensor.numpy(), np.array(tensor)):
        copy[0] = 5.0  # writable, and the change does not reach the tensor
    np.testing.assert_array_equal(tensor.numpy(), np.zeros(3))


# --- indexing.md ------------------------------------------------------------------------------

def test_indexing_numpy_and_tensorflow_agree(indexing):
    same(indexing.array, indexing.tensor)
    for name in ("rows", "columns", "evens", "kept_columns"):
        same(getattr(indexing, f"numpy_{name}"), getattr(indexing, f"tf_{name}"))


def test_indexing_results_are_what_the_prose_says(indexing):
    np.testing.assert_array_equal(indexing.numpy_rows, [[8, 9, 10, 11], [0, 1, 2, 3], [0, 1, 2, 3]])
    np.testing.assert_array_equal(indexing.numpy_columns, [[3, 1], [7, 5], [11, 9]])
    # "6 even numbers, 2 kept columns"
    assert indexing.numpy_evens.shape == (6,) and indexing.numpy_kept_columns.shape == (3, 2)
    array, tensor = indexing.array, indexing.tensor
    assert array[1, 2] == 6 and int(tensor[1, 2]) == 6  # "`array[1, 2]` is 6"
    assert array[:, 2].shape == (3,) and array[:, 2:3].shape == (3, 1)
    assert tensor[:, 2].shape == (3,) and tensor[:, 2:3].shape == (3, 1)


def test_tensorflow_reads_a_list_index_as_one_index_per_axis(indexing, tf):
    tensor = indexing.tensor
    assert tensor[[0, 2]].shape == () and int(tensor[[0, 2]]) == 2  # "the single number 2"
    assert indexing.array[[0, 2]].shape == (2, 4)  # NumPy: rows 0 and 2
    for positions in (np.array([0, 2]), tf.constant([0, 2])):
        with pytest.raises(TypeError):
            tensor[positions]


def test_tensorflow_takes_a_mask_in_brackets_on_leading_axes_only(indexing, tf):
    tensor = indexing.tensor
    np.testing.assert_array_equal(tensor[tensor % 2 == 0].numpy(), indexing.numpy_evens)
    with pytest.raises(TypeError):
        tensor[:, tf.constant([True, False, False, True])]


def test_indexing_self_check_solution(tf):
    numpy_line, tf_line = solution_code("indexing.md", "tensors-indexing-check")
    points = np.random.default_rng(3).normal(size=(9, 3)).astype(np.float32)
    points[:, -1] = [-1, 2, -3, 4, 5, -6, 7, 8, -9]  # 4 negative last coordinates
    expected = points[[0, 2, 5, 8], :2]
    for line, data in ((numpy_line, points), (tf_line, tf.constant(points))):
        namespace = {"np": np, "tf": tf, "points": data}
        exec(line, namespace)
        selected = np.asarray(namespace["selected"])
        assert selected.shape == (4, 2)  # "the result has shape (4, 2)"
        np.testing.assert_array_equal(selected, expected)


# --- assembling.md ----------------------------------------------------------------------------

def test_assembling_numpy_and_tensorflow_agree(assembling):
    for name in ("tall", "wide", "as_rows", "as_columns", "changed"):
        same(getattr(assembling, f"numpy_{name}"), getattr(assembling, f"tf_{name}"))


def test_assembling_shapes_and_values_are_what_the_prose_says(assembling):
    assert assembling.numpy_tall.shape == (3, 2) and assembling.numpy_wide.shape == (2, 4)
    assert assembling.numpy_as_rows.shape == (2, 3) and assembling.numpy_as_columns.shape == (3, 2)
    expected = np.zeros((3, 3))
    expected[0, 1], expected[2, 2] = 5.0, 7.0
    np.testing.assert_array_equal(assembling.numpy_changed, expected)
    # The originals are left as they were ("`tf_grid` itself is still all zeros").
    np.testing.assert_array_equal(assembling.numpy_grid, np.zeros((3, 3)))
    np.testing.assert_array_equal(assembling.tf_grid.numpy(), np.zeros((3, 3)))


def test_concat_needs_equal_ranks_and_stack_equal_shapes(tf):
    with pytest.raises(ValueError):
        np.concatenate([np.ones((2, 2)), np.ones(2)], axis=0)
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        tf.concat([tf.ones([2, 2]), tf.ones([2])], axis=0)
    with pytest.raises(ValueError):
        np.stack([np.ones(3), np.ones(2)])
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        tf.stack([tf.ones([3]), tf.ones([2])])


def test_scatter_rules_the_prose_states(tf):
    # An index shorter than the rank names a whole slice, and its update has that slice's shape.
    cube = tf.zeros([3, 2, 2])
    updated = tf.tensor_scatter_nd_update(cube, [[1]], tf.ones([1, 2, 2]))
    np.testing.assert_array_equal(updated.numpy().sum(axis=(1, 2)), [0, 4, 0])
    added = tf.tensor_scatter_nd_add(tf.ones([2, 2]), [[0, 0]], [5.0])
    np.testing.assert_array_equal(added.numpy(), [[6, 1], [1, 1]])


def test_a_numpy_basic_slice_is_a_view_and_a_list_index_copies():
    original = np.zeros((2, 3))
    first_row = original[0]
    first_row[0] = 9.0
    assert original[0, 0] == 9.0  # "`original` changed"
    picked = original[[1]]
    picked[0, 0] = 5.0
    assert original[1, 0] == 0.0  # "Indexing with a list or a mask ... copies instead"


def test_assembling_self_check_answers(tf):
    a = b = c = np.ones(4)
    table = np.ones((2, 4))
    assert np.stack([a, b, c]).shape == (3, 4)
    assert tf.stack([a, b, c], axis=1).shape == (4, 3)
    assert np.concatenate([a, b, c]).shape == (12,)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.concat([table, a], axis=0)
    with pytest.raises(ValueError):
        np.concatenate([table, a], axis=0)
    assert tf.concat([table, a[tf.newaxis, :]], axis=0).shape == (3, 4)
    names = {"np": np}
    exec(exercise_code("assembling.md", "tensors-assembling-check"), names)
    np.testing.assert_array_equal(names["grid"], [[1, 1, 1], [0, 0, 0]])


# --- matmul.md and devices.md ---------------------------------------------------------------

def test_matmul_numpy_and_tensorflow_agree(matmul):
    for name in ("elementwise", "product", "dot"):
        same(getattr(matmul, f"numpy_{name}"), getattr(matmul, f"tf_{name}"))
    np.testing.assert_allclose(matmul.numpy_batch_product, matmul.tf_batch_product.numpy(), rtol=1e-5, atol=1e-6)


def test_matmul_numbers_are_what_the_prose_says(matmul):
    np.testing.assert_array_equal(matmul.numpy_elementwise, [[0, 2], [3, 0]])
    np.testing.assert_array_equal(matmul.numpy_product, [[2, 1], [4, 3]])
    assert matmul.numpy_dot == 32.0
    assert matmul.numpy_batch_product.shape == (5, 4, 2) and matmul.tf_batch_product.shape == (5, 4, 2)
    one_at_a_time = np.stack([m @ matmul.weights for m in matmul.numpy_batch])
    np.testing.assert_allclose(one_at_a_time, matmul.numpy_batch_product, rtol=1e-6)


def test_matmul_refusals(tf):
    with pytest.raises(ValueError):
        np.ones((4, 3)) @ np.ones((2, 3))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.ones([4, 3]) @ tf.ones([2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError):  # "matmul wants at least two axes"
        tf.ones([3]) @ tf.ones([3])


def test_matmul_self_check_answers(tf):
    # The solution's answers, per library: a shape, or None for "it fails".
    answers = [
        ("x @ w", (8, 1), (8, 1)),
        ("x * w", None, None),
        ("batch @ w", (6, 8, 1), (6, 8, 1)),
        ("w @ x", None, None),
        ("x @ v", (8,), None),
        ("x @ v[:, tf.newaxis]", (8, 1), (8, 1)),
    ]
    shapes = {"x": (8, 3), "w": (3, 1), "batch": (6, 8, 3), "v": (3,)}
    for expression, numpy_answer, tf_answer in answers:
        for ones, answer in ((np.ones, numpy_answer), (tf.ones, tf_answer)):
            names = {name: ones(shape) for name, shape in shapes.items()}
            try:
                got = tuple(eval(expression, {"tf": tf}, names).shape)
            except (ValueError, tf.errors.InvalidArgumentError):
                got = None
            assert got == answer, f"{expression} with {ones.__module__}.ones: {got}, the solution says {answer}"


def test_device_placement_facts(tf):
    assert tf.config.get_soft_device_placement()  # "on by default"
    assert tf.ones([2]).device.endswith(("CPU:0", "GPU:0"))
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("a GPU is present: the page's CPU-only statements are about other machines")
    assert tf.ones([2]).device.endswith("CPU:0")
    with tf.device("/GPU:0"):  # asking for a missing GPU falls back to the CPU, silently
        product = tf.ones([2, 3]) @ tf.ones([3, 2])
    assert product.device.endswith("CPU:0")


def test_devices_self_check_answers(tf):
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("a GPU is present: the self-check is about a machine without one")
    snippet = exercise_code("devices.md", "tensors-devices-check")
    names = {"tf": tf}
    exec(snippet, names)  # 1. soft placement: no error, computed on the CPU
    assert names["doubled"].device.endswith("CPU:0")
    tf.config.set_soft_device_placement(False)
    try:  # 2. without soft placement the request for a GPU fails, naming the devices
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"(?s)Could not satisfy device specification.*available devices"):
            exec(snippet, {"tf": tf})
    finally:
        tf.config.set_soft_device_placement(True)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"not in \[0, 3\)"):  # 3.
        tf.gather(tf.constant([1.0, 2.0, 3.0]), [5])


def test_tensorflow_still_documents_that_gather_does_not_check_indices_on_a_gpu(tf):
    documentation = " ".join(tf.gather.__doc__.split())
    assert "On GPU, if an out of bound index is found, a 0 is stored" in documentation
    with pytest.raises(tf.errors.InvalidArgumentError):  # and on a CPU it is an error
        tf.gather(tf.range(3), [5])

# --- facts the pages state in prose ----------------------------------------------------------

def test_tensorflow_2_executes_eagerly(tf):
    assert tf.executing_eagerly()  # index.md: "it is the default in TensorFlow 2"


def test_default_dtypes(tf):
    assert np.array([1.0]).dtype == np.float64 and np.array([1]).dtype == np.int64
    assert tf.constant([1.0]).dtype == tf.float32 and tf.constant([1]).dtype == tf.int32
    assert tf.constant(np.array([1.0])).dtype == tf.float64  # an ndarray keeps its dtype


def test_tensors_of_different_dtypes_refuse_to_combine(tf):
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1.0], dtype=tf.float32) + tf.constant([1.0], dtype=tf.float64)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant(1) + 1.5


def test_an_ndarray_meeting_a_tensor_takes_its_dtype_even_when_that_truncates(tf):
    result = tf.constant([1, 2]) + np.array([0.5, 0.5])
    assert result.dtype == tf.int32
    np.testing.assert_array_equal(result.numpy(), [1, 2])


def test_mean_of_integers_stays_integer_in_tensorflow(tf):
    assert int(tf.reduce_mean(tf.constant([1, 2]))) == 1
    assert np.mean(np.array([1, 2])) == 1.5


def test_tensor_made_from_an_array_does_not_follow_it(tf):
    for convert in (tf.constant, tf.convert_to_tensor):
        array = np.array([1.0, 2.0, 3.0])
        tensor = convert(array)
        array[0] = 100.0
        np.testing.assert_array_equal(tensor.numpy(), [1.0, 2.0, 3.0])


def test_conversions_to_numpy(tf):
    tensor = tf.constant([1.0, 2.0])
    assert tf.convert_to_tensor(tensor) is tensor
    assert tensor.numpy().flags.writeable
    assert not np.asarray(tensor).flags.writeable
    with pytest.raises(TypeError):
        tensor[0] = 5.0
