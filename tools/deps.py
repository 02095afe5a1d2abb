"""The subpackage import graph of ``src/hawthorne``, read from the source (``make deps``).

Every ``import`` and ``from … import`` in every module is read with :mod:`ast` (imports inside
functions too), so the graph is the code's, not a drawing. It prints one line per subpackage
with the subpackages it imports, then a Mermaid graph for the docs, and exits 1 when there is a
cycle, an import of another subpackage's private module, or ``inspect_ai`` outside the adapter.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "hawthorne"
INSPECT_HOME = "adapter"
"""The only subpackage that may import ``inspect_ai``."""


@dataclass
class Graph:
    """Subpackage edges, and every rule broken on the way."""

    edges: dict[str, set[str]] = field(default_factory=dict)
    private: list[str] = field(default_factory=list)
    inspect: list[str] = field(default_factory=list)

    def cycles(self) -> list[list[str]]:
        """Every cycle found by a depth-first walk (each reported once, from its first node)."""
        found: list[list[str]] = []
        seen: set[frozenset[str]] = set()

        def walk(node: str, path: list[str]) -> None:
            for nxt in sorted(self.edges.get(node, ())):
                if nxt in path:
                    cycle = path[path.index(nxt) :]
                    if frozenset(cycle) not in seen:
                        seen.add(frozenset(cycle))
                        found.append([*cycle, nxt])
                elif len(path) < len(self.edges) + 1:
                    walk(nxt, [*path, nxt])

        for start in sorted(self.edges):
            walk(start, [start])
        return found


def node_of(module: str) -> str:
    """The graph node of a dotted module: its subpackage, or the top-level module's name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "hawthorne"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "hawthorne":
                # ``from hawthorne import report`` imports the subpackage, not the top level.
                out += [(f"hawthorne.{alias.name}", node.lineno) for alias in node.names]
            else:
                out.append((target, node.lineno))
    return out


def read_graph(root: Path = ROOT) -> Graph:
    """Read the import graph of every module under ``root``."""
    graph = Graph()
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        here = node_of(module)
        graph.edges.setdefault(here, set())
        tree = ast.parse(path.read_text(), str(path))
        where = f"{path.relative_to(root.parent.parent)}"
        for target, line in _imports(tree, module, path.name == "__init__.py"):
            if target.split(".")[0] == "inspect_ai" and here != INSPECT_HOME:
                graph.inspect.append(f"{where}:{line} imports {target}")
            if not target.startswith("hawthorne.") and target != "hawthorne":
                continue
            there = node_of(target)
            if there == here:
                continue
            graph.edges[here].add(there)
            if any(part.startswith("_") for part in target.split(".")[2:]):
                graph.private.append(f"{where}:{line} imports {target}")
    return graph


def mermaid(graph: Graph) -> str:
    """The graph as a Mermaid ``flowchart`` (for docs/architecture.md)."""
    lines = ["flowchart TD"]
    for node in sorted(graph.edges):
        for dep in sorted(graph.edges[node]):
            lines.append(f"    {node} --> {dep}")
    return "\n".join(lines)


def main() -> int:
    """Print the graph; exit 1 on a cycle or a broken rule."""
    graph = read_graph()
    for node in sorted(graph.edges):
        print(f"{node:>10} -> {', '.join(sorted(graph.edges[node])) or '(nothing)'}")
    print()
    print(mermaid(graph))
    problems = [
        *(f"cycle: {' -> '.join(c)}" for c in graph.cycles()),
        *(f"private import: {p}" for p in graph.private),
        *(f"inspect_ai outside {INSPECT_HOME}/: {p}" for p in graph.inspect),
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
