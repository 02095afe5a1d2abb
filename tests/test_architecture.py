"""House rules read from the source: no cycles, no private cross imports, one Inspect home."""

import importlib.util
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent.parent / "tools" / "deps.py"


@pytest.fixture(scope="module")
def deps():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("deps", TOOLS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["deps"] = module
    spec.loader.exec_module(module)
    return module


def test_subpackages_form_no_cycle(deps) -> None:  # type: ignore[no-untyped-def]
    assert deps.read_graph().cycles() == []


def test_no_subpackage_imports_another_ones_private_module(deps) -> None:  # type: ignore[no-untyped-def]
    assert deps.read_graph().private == []


def test_only_the_adapter_imports_inspect(deps) -> None:  # type: ignore[no-untyped-def]
    assert deps.read_graph().inspect == []


def test_the_checks_catch_what_they_forbid(deps, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A tree with a cycle (a -> b -> a), a private cross import and Inspect outside the adapter.
    root = tmp_path / "src" / "hawthorne"
    for pkg, body in {
        "a": "from hawthorne.b._impl import thing\n",
        "b": "import hawthorne.a\nimport inspect_ai\n",
        "c": "from hawthorne.a import x\n",
    }.items():
        (root / pkg).mkdir(parents=True)
        (root / pkg / "__init__.py").write_text(body)
    (root / "__init__.py").write_text("")
    graph = deps.read_graph(root)
    assert graph.cycles() == [["a", "b", "a"]]
    assert [p.split(" imports ")[1] for p in graph.private] == ["hawthorne.b._impl"]
    assert [p.split(" imports ")[1] for p in graph.inspect] == ["inspect_ai"]
    assert graph.edges["c"] == {"a"}


def test_the_architecture_page_shows_the_graph_as_it_is(deps) -> None:  # type: ignore[no-untyped-def]
    page = (TOOLS.parent.parent / "docs" / "architecture.md").read_text()
    assert deps.mermaid(deps.read_graph()) in page, "rerun `make deps` and paste its graph"
