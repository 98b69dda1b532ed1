"""Chapter 1 (book/tensors/) teaches what it says.

- the broadcasting rule written out in broadcasting.md gives NumPy's and TensorFlow's result
  shapes, and refuses exactly the pairs they refuse;
- the precision numbers of shapes_and_dtypes.md behave as the prose says (a float32 running
  sum drifts, library sums do not, NumPy and TF agree only to a tolerance);
- the `x += 2` demonstration of immutability.md: the ndarray is updated in place, the
  tf.Tensor name is rebound;
- the facts about TensorFlow that the pages state in prose still hold in the installed
  version (so an upgrade that changes one fails here, not silently in a learner's head).

The pages' `## Setup` cells import TensorFlow, so every test here is slow.
"""

from __future__ import annotations

import itertools
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


# --- facts the pages state in prose ----------------------------------------------------------

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
