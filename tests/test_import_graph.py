"""No import circles in the project's packages: each package's modules form layers.

Every import counts, those inside functions too (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# (folder, the name its modules are imported under: "" for a folder on sys.path)
PACKAGES = [(REPO_ROOT / "autograder", "autograder"), (REPO_ROOT / "book" / "ttt", "ttt"),
            (REPO_ROOT / "book" / "_ext", "")]


def module_names(folder: Path, prefix: str) -> dict[str, Path]:
    """{dotted module name: file} of every module below folder."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(filter(None, [prefix, *parts]))
        if name:
            found[name] = path
    return found


def imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """The known modules that the module ``name`` at ``path`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1 folders
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(filter(None, [*anchor, base]))
            candidates = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            # The longest known module the name starts with: `a.b.c` is module a.b's c.
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                found.add(candidate)
    return found


def import_graph(packages) -> dict[str, set[str]]:
    modules = {}
    for folder, prefix in packages:
        modules |= module_names(folder, prefix)
    return {name: imported_modules(path, name, set(modules)) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_projects_packages_have_no_import_circle():
    graph = import_graph(PACKAGES)
    assert len(graph) > 40  # every package was read
    assert circles(graph) == []


def test_a_circle_through_a_lazy_import_is_found(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from .c import g\n")
    (package / "sub" / "c.py").write_text("from ..a import x\n")
    (package / "d.py").write_text("import pkg.a\n")
    assert circles(import_graph([(package, "pkg")])) == [["pkg.a", "pkg.sub.b", "pkg.sub.c"]]


@pytest.mark.parametrize("module, imports", [
    ("autograder.probe", {"autograder.protocol", "autograder.scenarios", "autograder.cases",
                          "autograder.calling"}),
    ("autograder.sandbox.runner", {"autograder.protocol", "autograder.sandbox.confine"}),
    ("autograder.sandbox.own_namespaces", set()),
    # The grading template: the contract, the runner's neighbours and the kernel
    # template's package, which the kernel library holds (protocol.TEMPLATE_MODULES).
    ("autograder.sandbox.grading_template", {
        "autograder.protocol", "autograder.sandbox.own_namespaces", "autograder.sandbox.runner",
        "autograder.sandbox.confine", "autograder.kernel_template.kernelspec",
        "autograder.kernel_template.template", "autograder.kernel_template.provisioner"}),
])
def test_the_kernel_side_imports_only_the_contract_and_its_data(module, imports):
    # The lazy import of the verdict (plain mode, outside the sandbox) aside.
    assert import_graph(PACKAGES)[module] - {"autograder.verdict"} == imports


def test_every_file_copied_into_the_sandbox_imports_only_files_copied_with_it():
    from autograder.protocol import KERNEL_MODULES, TEMPLATE_MODULES

    def dotted(path: str) -> str:
        parts = path.removeprefix("book/").removesuffix(".py").split("/")
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    copied = {dotted(path) for path in KERNEL_MODULES + TEMPLATE_MODULES}
    graph = import_graph(PACKAGES)
    assert {"autograder.probe", "autograder.cases", "autograder.calling"} <= copied
    for module in copied:
        assert graph[module] - {"autograder.verdict"} <= copied, module
