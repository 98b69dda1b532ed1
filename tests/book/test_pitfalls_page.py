"""The appendix on tf.function and Keras 3 pitfalls (book/appendix/tf_function_and_keras.md)
says what the installed TensorFlow and Keras do; these tests run the whole page in a kernel,
as the book build does, and check each behaviour its prose states against what the cells
printed, so that an upgrade which changes one fails here rather than leaving the page wrong:

- tracing: one trace per shape and dtype (counts 1, 1, 2, 3, 4); one trace for every length
  under an `input_signature`, and a `TypeError` for anything else;
- `print` runs once per trace, `tf.print` at every call;
- a `tf.function` that creates a variable at every call raises a `ValueError` on its first
  call, after two traces; creating it once behind `if ... is None` works;
- a Keras 3 optimizer refuses a variable it was not built with (`ValueError: Unknown
  variable`), and accepts it when built for it first;
- a `tf.Module` does not collect a Keras layer's variables, nor a Keras layer a plain
  `tf.Variable`.

The whole page runs in a fresh kernel (TensorFlow's import included), so every test here is
slow. `tf.print` writes from C++ to the process's standard output, which only a kernel's
captured streams see: hence a kernel rather than `pages.run_cells`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient
from pages import page_cells

PAGE = Path(__file__).resolve().parents[2] / "book" / "appendix" / "tf_function_and_keras.md"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executed():
    """The page, executed from its folder in a fresh kernel (a failing cell fails here)."""
    notebook = jupytext.read(PAGE)
    with pytest.MonkeyPatch.context() as patch:  # what `make book` exports; the kernel
        patch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")  # inherits it
        patch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(PAGE.parent)}}).execute()
    return notebook


def output_of(notebook, marker: str) -> str:
    """What the one code cell whose source contains `marker` showed: its streams, then its
    value's text."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, f"{len(cells)} code cells contain {marker!r}"
    parts = []
    for output in cells[0].outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def lines_of(notebook, marker: str) -> list[str]:
    return [line for line in output_of(notebook, marker).splitlines() if line.strip()]


def prose() -> str:
    return " ".join(" ".join(cell.source.split()) for cell in page_cells(PAGE)
                    if cell.cell_type == "markdown")


def test_page_shows_no_stderr_and_runs_keras_3(executed):
    stderr = [output.text for cell in executed.cells if cell.cell_type == "code"
              for output in cell.outputs if output.get("name") == "stderr"]
    assert stderr == []
    versions = output_of(executed, "keras.__version__")
    assert "| Keras 3." in versions
    assert "tf.keras is Keras 3: True" in versions


def test_tensors_trace_once_per_shape_and_dtype(executed):
    counts = ast.literal_eval(output_of(executed, "shape_traces[label] ="))
    # "Only the second call reused a trace."
    assert counts == {"scalar": 1, "another scalar": 1, "2 numbers": 2, "3 numbers": 3,
                      "an int32 scalar": 4}
    assert "Only the second call reused a trace." in prose()


def test_input_signature_traces_once_and_refuses_the_rest(executed):
    assert output_of(executed, "signature_traces =").strip() == "1"
    refused = output_of(executed, "show_error(lambda: double_vector(")
    # One message per refused call, each a TypeError naming the specs that do not match.
    messages = refused.split("TypeError: ")[1:]
    assert len(messages) == 2 and refused.startswith("TypeError: ")
    assert all("TensorSpec" in message for message in messages)
    assert "int32" in messages[0]
    assert "raises a `TypeError`" in prose()


def test_print_runs_per_trace_and_tf_print_per_call(executed):
    lines = lines_of(executed, "def loud_square")
    printed = [line for line in lines if line.startswith("print:")]
    tf_printed = [line.split()[-1] for line in lines if line.startswith("tf.print:")]
    assert len(printed) == 1 and "shape=()" in printed[0]  # a symbolic tensor, no value
    assert tf_printed == ["2", "3", "4"]


def test_creating_a_variable_at_every_call_fails_on_the_first(executed):
    lines = lines_of(executed, "def scaled(x)")
    assert lines[0].startswith("ValueError: ")
    message = " ".join(lines[:-1])
    assert "only supports singleton tf.Variables created on the first call" in message
    assert lines[-1] == "traces: 2"  # "traced twice on its first call"
    assert "traced twice on its first call" in prose()


def test_creating_a_variable_once_works_across_traces(executed):
    shown = output_of(executed, "scaled_module = Scaled()")
    assert "numpy=6.0" in shown and "array([2., 4.]" in shown


def test_keras_optimizer_refuses_a_variable_it_was_not_built_with(executed):
    lines = lines_of(executed, "show_error(lambda: optimizer.apply_gradients")
    assert lines[0] == "after one step: W = 4.9  b = -0.1"
    message = " ".join(lines[1:])
    assert message.startswith("ValueError: Unknown variable")
    # "The message gives the remedy: make a new optimizer for a new set of variables."
    assert "originally built with" in message and "new optimizer instance" in message
    assert "`ValueError: Unknown variable`" in prose()


def test_a_keras_optimizer_built_for_every_variable_accepts_each(executed):
    assert lines_of(executed, "optimizer.build([W, b, extra])") == ["extra = 0.9"]


def test_tf_module_does_not_collect_a_keras_layer(executed):
    lines = dict(line.split(":", 1) for line in lines_of(executed, "class Wrapper(tf.Module)"))
    values = {key.strip(): ast.literal_eval(value.strip()) for key, value in lines.items()}
    assert values == {"the layer's own list": ["dense/kernel", "dense/bias"],
                      "the module's list": ["scale:0"],
                      "a layer is a tf.Module": False,
                      "a kernel is a tf.Variable": False}


def test_keras_layer_does_not_collect_a_plain_tf_variable(executed):
    (line,) = lines_of(executed, "class Layer(tf.keras.layers.Layer)")
    names = ast.literal_eval(line.split(":", 1)[1].strip())
    assert len(names) == 2 and all(name.endswith(("/kernel", "/bias")) for name in names)
    assert not any("scale" in name for name in names)
