"""Case recipes (autograder/cases.py): the same seed and part always draw the same arrays,
each part has its own stream, dims and sizes stay in their ranges, and every slip in a recipe
is a RecipeError naming the case and the entry."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from autograder import cases
from autograder.cases import (RecipeError, away_from_zero, case, draw, indices, integer, normal,
                              rounded, uniform)

SEEDS = range(200)

RECIPE = [
    case("{n} by {k}", dims={"n": [2, 6], "k": 3},
         arrays={"a": normal("n", "k"), "b": uniform("k", low=-1.0, high=1.0)},
         settings={"i": integer(0, "n")}),
    case("divisors", arrays={"y": away_from_zero(4, 5, low=0.5, high=2.0)}),
]


def _same(first, second) -> bool:
    return [(c.name, c.settings) for c in first] == [(c.name, c.settings) for c in second] and all(
        a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
        for a, b in zip((c.arrays for c in first), (c.arrays for c in second)))


def test_the_same_seed_and_name_draw_the_same_cases():
    for seed in (0, 1, 2**40):
        assert _same(draw("tensors/example", RECIPE, seed), draw("tensors/example", RECIPE, seed))


def test_each_name_and_each_seed_has_its_own_stream():
    base = draw("tensors/example", RECIPE, 7)
    assert not _same(base, draw("tensors/other", RECIPE, 7))
    assert not _same(base, draw("tensors/example", RECIPE, 8))
    # Not merely shifted: no array of one stream equals any array of the other.
    other = draw("tensors/other", RECIPE, 7)
    for a in (c.arrays["y"] for c in base[1:]):
        for b in (c.arrays["y"] for c in other[1:]):
            assert not np.allclose(a, b)


def test_streams_are_63_bit_and_stable():
    names = [f"a/part_{k}" for k in range(500)]
    streams = [cases.stream(name) for name in names]
    assert len(set(streams)) == len(names)
    assert all(0 <= s < 2**63 for s in streams)
    # The stream is a contract between the kernel and the grader: it must never drift.
    assert cases.stream("tensors/softmax_rows") == cases.stream("tensors/softmax_rows")
    assert cases.stream("tensors/softmax_rows") != cases.stream("tensors/softmax_row")


def test_dims_stay_in_their_ranges_and_every_value_is_drawn():
    recipe = [case("{n} by {m}", dims={"n": [2, 6], "m": ["n", "n+3"]},
                   arrays={"a": normal("n", "m")})]
    seen = Counter()
    for seed in SEEDS:
        (drawn,) = draw("x/dims", recipe, seed)
        n, m = drawn.arrays["a"].shape
        assert 2 <= n < 6 and n <= m < n + 3
        assert drawn.name == f"{n} by {m}"
        seen[n, m - n] += 1
    # The ranges are [low, high): every value is drawn, the high end never.
    assert set(seen) == {(n, extra) for n in range(2, 6) for extra in range(3)}


def test_size_expressions_name_a_dim_plus_or_minus_a_number():
    recipe = [case("row {i} of {n}", dims={"n": [3, 9]},
                   arrays={"head": normal("n-1"), "padded": normal("n + 2", 2)},
                   settings={"last": "n-1", "i": integer(1, "n - 1"), "fixed": 0.5})]
    seen = set()
    for seed in SEEDS:
        (drawn,) = draw("x/sizes", recipe, seed)
        n = drawn.arrays["head"].shape[0] + 1
        assert drawn.arrays["padded"].shape == (n + 2, 2)
        assert drawn.settings["last"] == n - 1 and isinstance(drawn.settings["last"], int)
        assert 1 <= drawn.settings["i"] < n - 1 and isinstance(drawn.settings["i"], int)
        assert drawn.settings["fixed"] == 0.5
        assert drawn.name == f"row {drawn.settings['i']} of {n}"
        seen.add(drawn.settings["i"])
    assert seen == set(range(1, 7))


def test_values_have_their_kind_dtype_and_range():
    recipe = [case("values", arrays={
        "n": normal(50, 3, scale=2.0), "u": uniform(200, low=-1.0, high=3.0),
        "y": away_from_zero(200, low=0.5, high=2.0),
        "far": normal(4, 6, row_shift=1000.0)},
        settings={"lr": rounded(0.05, 0.3), "beta": rounded(0.5, 0.95, digits=1)})]
    for seed in range(20):
        (drawn,) = draw("x/values", recipe, seed)
        a = drawn.arrays
        assert {k: v.dtype for k, v in a.items()} == dict.fromkeys(a, np.dtype(np.float32))
        assert 1.0 < a["n"].std() < 3.0  # scaled by 2
        assert a["u"].min() >= -1.0 and a["u"].max() < 3.0
        assert np.all(np.abs(a["y"]) >= 0.5) and np.all(np.abs(a["y"]) < 2.0)
        assert (a["y"] > 0).any() and (a["y"] < 0).any()
        # Each row moved by +1000 or -1000 as a whole: far from zero, its spread unchanged.
        assert np.all(np.abs(a["far"]) > 990) and np.all(a["far"].std(axis=1) < 10)
        assert np.all(np.sign(a["far"]) == np.sign(a["far"][:, :1]))
        lr, beta = drawn.settings["lr"], drawn.settings["beta"]
        assert 0.05 <= lr <= 0.3 and lr == round(lr, 3)
        assert 0.5 <= beta <= 0.95 and beta == round(beta, 1)


def test_indices_repeat_the_first_index_last():
    recipe = [case("t", dims={"rows": [2, 9], "count": [2, 7]},
                   arrays={"i": indices("count", "rows")}),
              case("u", dims={"rows": 5}, arrays={"j": indices(6, "rows", repeated=False)})]
    unrepeated_last = 0
    for seed in SEEDS:
        repeated, free = draw("x/indices", recipe, seed)
        i, j = repeated.arrays["i"], free.arrays["j"]
        assert i.dtype == j.dtype == np.int64
        assert i[-1] == i[0] and len(i) >= 2
        assert np.all((0 <= i) & (i < 9)) and np.all((0 <= j) & (j < 5)) and len(j) == 6
        unrepeated_last += j[-1] != j[0]
    assert unrepeated_last > 100  # without `repeated`, the last index is drawn like the rest


def test_case_builds_only_the_sections_it_is_given():
    assert case("plain") == {"name": "plain"}
    assert case("x", dims={"n": 2}, settings={"i": 0}) == {
        "name": "x", "dims": {"n": 2}, "settings": {"i": 0}}
    assert indices(3, "n") == {"draw": "indices", "count": 3, "below": "n"}
    assert normal(2, "n") == {"draw": "normal", "shape": [2, "n"]}


# --- slips in a recipe -------------------------------------------------------------------

def _raises(recipe, *fragments):
    with pytest.raises(RecipeError) as error:
        draw("x/slips", recipe, 0)
    for fragment in fragments:
        assert fragment in str(error.value), (fragment, str(error.value))


def test_an_unknown_draw_kind_names_the_case_and_the_array():
    _raises([case("ok"), case("bad", arrays={"a": {"draw": "poisson", "shape": [3]}})],
            "x/slips, case 2, array 'a'", "unknown array entry", "poisson")
    _raises([case("bad", arrays={"a": [1, 2, 3]})], "case 1, array 'a'", "unknown array entry")
    _raises([case("bad", settings={"s": {"draw": "gamma"}})],
            "case 1, setting 's'", "unknown setting")
    _raises([case("bad", settings={"s": True})], "case 1, setting 's'", "unknown setting")


def test_an_unknown_dim_names_the_case_and_the_entry():
    _raises([case("bad", dims={"n": 3}, arrays={"a": normal("n", "k")})],
            "case 1, array 'a'", "'k'", "['n']")
    _raises([case("bad", dims={"n": 3}, settings={"i": "m-1"})], "case 1, setting 'i'", "'m-1'")
    _raises([case("bad", dims={"n": 3}, settings={"i": integer(0, "n*2")})],
            "case 1, setting 'i'", "'n*2'")
    _raises([case("bad", dims={"n": ["m", 5]})], "case 1, dim 'n'", "'m'")


def test_an_empty_range_names_the_case_and_the_entry():
    _raises([case("bad", dims={"n": [5, 5]})], "case 1, dim 'n'", "empty range [5, 5)")
    _raises([case("bad", dims={"n": 2}, settings={"i": integer(1, "n-1")})],
            "case 1, setting 'i'", "empty range [1, 1)")
    _raises([case("bad", dims={"n": 2}, arrays={"a": normal("n-3")})],
            "case 1, array 'a'", "negative size")
    _raises([case("bad", arrays={"i": indices(1, 4)})], "case 1, array 'i'",
            "cannot draw 1 indices below 4")
    _raises([case("bad", arrays={"i": indices(3, 0)})], "case 1, array 'i'",
            "cannot draw 3 indices below 0")
    _raises([case("bad", arrays={"a": normal(3, row_shift=5.0)})], "case 1, array 'a'",
            "row_shift needs a 2-D shape")


def test_duplicate_case_names_are_refused():
    # Names are compared after formatting: two cases whose dims give the same name clash.
    _raises([case("{n} rows", dims={"n": 3}), case("{n} rows", dims={"n": 3})],
            "x/slips: two cases are called the same", "'3 rows', '3 rows'")
    draw("x/slips", [case("{n} rows", dims={"n": 3}), case("{n} rows", dims={"n": 4})], 0)


def test_a_name_field_that_is_neither_dim_nor_setting_is_refused():
    _raises([case("ok"), case("{n} by {m}", dims={"n": 2})], "case 2", "'{n} by {m}'", "'m'")


def test_a_recipe_is_a_non_empty_list_of_named_cases():
    _raises([], "x/slips: a recipe is a non-empty list of cases")
    _raises({"name": "a"}, "a non-empty list")
    _raises([case("ok"), {"dims": {"n": 2}}], "case 2", "each case is a dict with a name")


@pytest.mark.parametrize("seed", [-1, True, 1.5, "3", None])
def test_a_bad_seed_is_a_value_error(seed):
    with pytest.raises(ValueError, match=re.escape(f"got {seed!r}")):
        draw("x/seed", RECIPE, seed)


def test_a_large_or_numpy_seed_is_fine():
    assert _same(draw("x/seed", RECIPE, np.int64(5)), draw("x/seed", RECIPE, 5))
    draw("x/seed", RECIPE, 2**62)
