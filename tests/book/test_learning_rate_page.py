"""book/linear_fit/learning_rate.md: its on-ramp (the map of the loss, curvature along a
direction, the Hessian, its eigenvectors), its self-check, and the numbers its prose states.

The numbers are recomputed here from ttt.reference on the page's data, independently of the
page's cells, and each is looked up in the page's prose as the page prints it; the page's
`teaches` cell `curvature_along` is compared with uᵀHu from ttt.reference.loss_hessian.
The page's other taught code (loss_hessian, its nested-tape twin, critical_learning_rate)
is tested in test_linear_fit_chapter.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from pages import page_cells, taught

from ttt import reference
from ttt.data import ORIGIN_SEED, W0, b0, make_linear_data

PAGE = Path(__file__).resolve().parents[2] / "book" / "linear_fit" / "learning_rate.md"
LABEL = "linear-fit-learning-rate-check"
GLOSSARY_TERMS = ("learning rate", "Hessian", "eigenvalue", "condition number")


@pytest.fixture(scope="module")
def page():
    return taught(PAGE)


@pytest.fixture(scope="module")
def cells():
    return page_cells(PAGE)


@pytest.fixture(scope="module")
def prose(cells) -> str:
    """The page's markdown, with its line breaks folded into spaces."""
    return " ".join(" ".join(cell.source.split()) for cell in cells
                    if cell.cell_type == "markdown")


def sections(cells) -> list[tuple[str, str]]:
    """(title, markdown text) of each `## ` section, in page order."""
    text = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2]))


def our_data():
    """The page's data: the origin's float32 draw, in float64."""
    return tuple(array.astype(np.float64) for array in make_linear_data(seed=ORIGIN_SEED))


def shifted_data():
    """The page's second map: the same draw with every input moved up by 1."""
    return make_linear_data(seed=ORIGIN_SEED, input_mean=1.0, dtype=np.float64)


def eigen(inputs):
    return np.linalg.eigh(reference.loss_hessian(inputs))


def angle(vector) -> float:
    """The direction's angle from the W axis, in degrees, in [0, 180)."""
    return float(np.degrees(np.arctan2(vector[1], vector[0])) % 180)


# --- the shape of the page ------------------------------------------------------------------

def test_page_opens_with_its_goals_and_ends_with_check_and_summary(cells):
    first_markdown = next(cell.source for cell in cells if cell.cell_type == "markdown")
    assert "After this section you will be able to:" in first_markdown
    titles = [title for title, _ in sections(cells)]
    assert titles[0] == "Setup"
    assert titles[-2:] == ["Check yourself", "Summary"]
    # The on-ramp comes before any algebra, and in this order.
    ramp = ["The bowl, seen from above", "Curvature along a direction",
            "The Hessian: every curvature in one matrix", "Eigenvectors: the arrows of the map",
            "What one step does to the error", "How many epochs does each rate need?"]
    assert [title for title in titles if title in ramp] == ramp


def test_self_check_is_an_exercise_with_a_dropdown_solution(cells):
    check = dict(sections(cells))["Check yourself"]
    assert re.search(r"^(`{3,})\{exercise\}\n:label: " + LABEL + r"\n.*?^\1$", check,
                     re.MULTILINE | re.DOTALL)
    assert re.search(r"^(`{3,})\{solution\} " + LABEL + r"\n:class: dropdown\n.*?^\1$", check,
                     re.MULTILINE | re.DOTALL)


def test_self_check_does_not_give_the_graded_answer(cells):
    # The graded exercise asks for the fastest rate, 2/(λ_min + λ_max): not here.
    check = dict(sections(cells))["Check yourself"]
    compact = re.sub(r"\s+", "", check)
    for giveaway in ("fastest", "λ_min+λ_max", r"\lambda_{\min}+\lambda_{\max}", "2/(",
                     "equalandopposite", "16+4", "4+16", "2/20"):
        assert giveaway not in compact, giveaway
    # Nor the fastest rate of its own Hessian, 2/(4 + 16) = 0.1.
    assert not re.search(r"(?<![\d.])0\.10*(?!\d)", compact)


def test_code_lines_fit_in_80_characters(cells):
    long = [(cell.index, line) for cell in cells if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line) > 80]
    assert long == []


def test_glossary_terms_are_linked_once_outside_headings_and_math(cells, prose):
    for term in GLOSSARY_TERMS:
        links = re.findall(r"\{term\}`(?:" + re.escape(term) + r"|[^`<]*<" + re.escape(term)
                           + r">)`", prose, flags=re.IGNORECASE)
        assert len(links) == 1, (term, links)
    for cell in cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                assert not (line.startswith("#") and "{term}" in line), line
    inline = re.sub(r"\$\$.*?\$\$", " ", prose)
    for formula in re.findall(r"\$[^$]+\$", inline):
        assert "{term}" not in formula, formula


def test_the_map_is_drawn_with_the_shared_helper_and_described(cells):
    [cell] = [cell for cell in cells if cell.cell_type == "code"
              and "plot_curvature_directions(" in cell.source]
    alt = cell.metadata["mystnb"]["image"]["alt"]
    for words in ("steep direction (λ_max)", "flat direction (λ_min)", "dashed contour",
                  "rate 0.3", "about a third as long", "zigzags"):
        assert words in " ".join(alt.split()), words
    assert "learning_rate_study(x, y, [0.3], epochs=9)" in cell.source  # start + 8 steps


# --- curvature along a direction, as the page teaches it -----------------------------------

@pytest.mark.parametrize("data", [our_data, shifted_data])
def test_taught_curvature_is_u_H_u_everywhere(page, data):
    inputs, outputs = data()
    hessian = reference.loss_hessian(inputs)
    rng = np.random.default_rng(0)
    best = np.array(reference.least_squares(inputs, outputs))
    for point in (best, np.array([W0, b0]), best + rng.normal(size=2)):
        for direction in rng.normal(size=(5, 2)):
            u = direction / np.linalg.norm(direction)
            assert page.curvature_along(direction, point, inputs, outputs) == pytest.approx(
                u @ hessian @ u, rel=1e-9)


def test_curvatures_the_page_prints_and_the_sweep_finds(page, prose):
    inputs, outputs = our_data()
    best = np.array(reference.least_squares(inputs, outputs))
    hessian = reference.loss_hessian(inputs)
    # Along the axes: the Hessian's diagonal (the page prints 1.9595 and 2.0000).
    assert page.curvature_along((1, 0), best, inputs, outputs) == pytest.approx(hessian[0, 0])
    assert page.curvature_along((0, 1), best, inputs, outputs) == pytest.approx(hessian[1, 1])
    # The sweep in whole degrees finds the eigenvectors: "139° and 49°", "139.1°", "49.1°".
    eigenvalues, eigenvectors = eigen(inputs)
    angles = np.arange(180)
    sweep = [page.curvature_along((np.cos(a), np.sin(a)), best, inputs, outputs)
             for a in np.radians(angles)]
    assert angles[np.argmax(sweep)] == round(angle(eigenvectors[:, 1])) == 49
    assert angles[np.argmin(sweep)] == round(angle(eigenvectors[:, 0])) == 139
    flat, steep = angle(eigenvectors[:, 0]), angle(eigenvectors[:, 1])
    assert (f"the flat direction at {flat:.1f}° and the steep one at {steep:.1f}°, where the "
            f"sweep (in whole degrees) found {flat:.0f}° and {steep:.0f}°") in prose
    np.testing.assert_allclose([min(sweep), max(sweep)], eigenvalues, rtol=1e-4)


# --- the numbers of the prose ---------------------------------------------------------------

def test_condition_numbers_as_the_page_states(prose):
    ours = np.linalg.eigvalsh(reference.loss_hessian(our_data()[0]))
    moved = np.linalg.eigvalsh(reference.loss_hessian(shifted_data()[0]))
    # "only 15% steeper than the flat one", "differ by only about 15%"
    assert round(100 * (ours[1] / ours[0] - 1)) == 15
    assert "only 15% steeper" in prose and "differ by only about 15%" in prose
    # "it is 7.85 times steeper"
    assert f"{moved[1] / moved[0]:.2f}" == "7.85"
    assert "7.85 times steeper" in prose
    # The map's arrows: the steep one "only a little shorter" on our data, "about a third
    # as long" on the moved data (lengths in the ratio sqrt(λ_min/λ_max)).
    assert 0.9 < np.sqrt(ours[0] / ours[1]) < 1
    assert 0.3 < np.sqrt(moved[0] / moved[1]) < 0.4


def errors_along_eigenvectors(inputs, outputs, rate, epochs):
    """The error of each logged (W, b) along the flat and the steep eigenvector."""
    path = reference.learning_rate_study(inputs, outputs, [rate], epochs=epochs)[rate]
    best = np.array(reference.least_squares(inputs, outputs))
    return (np.column_stack([path.W, path.b]) - best) @ eigen(inputs)[1]


def test_the_maps_paths_do_what_the_page_says():
    # Our data, rate 0.3: "the steps go straight in": neither part flips sign.
    ours = errors_along_eigenvectors(*our_data(), 0.3, 9)
    assert np.all(np.sign(ours) == np.sign(ours[0]))
    assert np.all(np.abs(np.diff(np.abs(ours), axis=0)) > 0)
    # Moved data: the part along the steep direction flips sign at every step (the bounce
    # from wall to wall) while the part along the flat one keeps its sign and shrinks more
    # slowly ("slow progress down the valley").
    moved = errors_along_eigenvectors(*shifted_data(), 0.3, 9)
    flat, steep = moved[:, 0], moved[:, 1]
    assert np.all(np.sign(steep[1:]) == -np.sign(steep[:-1]))
    assert np.all(np.sign(flat) == np.sign(flat[0]))
    assert abs(flat[-1] / flat[0]) > abs(steep[-1] / steep[0])


def test_start_error_and_rate_one_as_the_page_says():
    inputs, outputs = our_data()
    flat, steep = errors_along_eigenvectors(inputs, outputs, 1.0, 1)[0]
    # "The part along the steep direction starts 16 times smaller"
    assert round(abs(flat / steep)) == 16
    factors = 1 - 1.0 * np.linalg.eigvalsh(reference.loss_hessian(inputs))
    # "1 - 1.84 ≈ -0.84", "its factor is -1.12, so it grows by 12% each step"
    assert f"{factors[0]:.2f}" == "-0.84" and f"{factors[1]:.2f}" == "-1.12"
    # "At the tutorial's rate of 0.1 the factors are about 0.82 and 0.79"
    assert [f"{f:.2f}" for f in reference.contraction_factors(inputs, 0.1)] == ["0.82", "0.79"]
    # "1.0 is above 2/λ_max ≈ 0.94"
    assert f"{reference.critical_learning_rate(inputs):.2f}" == "0.94"


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_excess_loss_formula_predicts_every_epoch(rate):
    """½ Σ λ_i c_i² (1 - ηλ_i)^(2k) is the loss above the floor after k steps."""
    inputs, outputs = our_data()
    eigenvalues = np.linalg.eigvalsh(reference.loss_hessian(inputs))
    start = errors_along_eigenvectors(inputs, outputs, rate, 1)[0]
    run = reference.learning_rate_study(inputs, outputs, [rate], epochs=30)[rate]
    k = np.arange(30)[:, None]
    predicted = 0.5 * np.sum(eigenvalues * start**2 * (1 - rate * eigenvalues) ** (2 * k),
                             axis=1)
    np.testing.assert_allclose(run.loss - reference.loss_floor(inputs, outputs), predicted,
                               rtol=1e-7, atol=1e-12)


# --- the self-check's worked answer ---------------------------------------------------------

def test_self_check_solution_is_right(cells):
    hessian = np.array([[10.0, 6.0], [6.0, 10.0]])
    check = dict(sections(cells))["Check yourself"]
    assert "[[10.  6.]\n [ 6. 10.]]" in check and str(hessian) in check  # as NumPy prints it
    np.testing.assert_allclose(hessian @ [1, 1], 16 * np.array([1, 1]))
    np.testing.assert_allclose(hessian @ [1, -1], 4 * np.array([1, -1]))
    assert np.allclose(np.linalg.eigvalsh(hessian), [4, 16])
    assert 2 / 16 == 0.125 < 0.15 < 2 / 10
    assert 1 - 0.15 * 16 == pytest.approx(-1.4) and 1 - 0.15 * 4 == pytest.approx(0.4)
    # Gradient descent on ½ eᵀHe at rate 0.15 from an error off in both parameters: it
    # diverges, lining up with (1, 1), jumping from one side of the optimum to the other.
    error, errors = np.array([1.0, 0.3]), []
    for _ in range(30):
        error = error - 0.15 * hessian @ error
        errors.append(error)
    errors = np.array(errors)
    assert np.linalg.norm(errors[-1]) > 1000 * np.linalg.norm(errors[0])
    direction = errors[-1] / np.linalg.norm(errors[-1])
    assert abs(direction @ np.array([1, 1]) / np.sqrt(2)) == pytest.approx(1, abs=1e-6)
    along = errors @ np.array([1, 1])
    assert np.all(np.sign(along[1:]) == -np.sign(along[:-1]))
    # "λ_max is at least as large as every diagonal entry", for any symmetric matrix.
    rng = np.random.default_rng(1)
    for _ in range(100):
        a = rng.normal(size=(3, 3))
        symmetric = a + a.T
        assert np.linalg.eigvalsh(symmetric).max() >= symmetric.diagonal().max() - 1e-12
