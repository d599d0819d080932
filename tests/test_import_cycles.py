"""No import cycle among the product's modules (worker/, scrapers/, config/).

A cycle is how a layering erodes: the Celery app importing its tasks while they import it, a queue helper
importing the app that imports it back. grimp builds the import graph from the source (every import
statement, at module level or inside a function, as Python would run it); imports under
``if TYPE_CHECKING:`` are left out, since they never run. Run alone with
``.venv/bin/python -m pytest tests/test_import_cycles.py -q``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("worker", "scrapers", "config")


def import_graph() -> dict[str, set[str]]:
    """Each product module and the product modules it imports."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False, exclude_type_checking_imports=True)
    return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a module importing itself), each
    sorted: every module of one can reach every other, so each is one knot to untie. Tarjan's algorithm,
    iterative so a deep graph cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_knots_and_only_knots() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert sorted(cycles(edges)) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_among_product_modules() -> None:
    graph = import_graph()
    assert {"worker.celery_app", "worker.tasks", "scrapers.fetch", "config.sources"} <= set(graph)
    knots = cycles(graph)
    detail = "\n".join(
        f"  {' <-> '.join(knot)}: "
        + "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(knot)))}" for m in knot)
        for knot in knots
    )
    assert not knots, f"import cycles among product modules:\n{detail}"


LAYERS = ("worker", "config", "scrapers")  # each may import those after it, never those before


def test_layers_import_downward_only() -> None:
    """worker over config over scrapers: a page-side module never reaches for settings or the job side."""
    graph = import_graph()
    rank = {package: depth for depth, package in enumerate(LAYERS)}
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if rank[target.split(".")[0]] < rank[module.split(".")[0]]
    )
    assert not upward, "imports running up the layers:\n  " + "\n  ".join(upward)


if __name__ == "__main__":  # ``python tests/test_import_cycles.py``: the same check, as a command
    knots = cycles(import_graph())
    for knot in knots:
        print("cycle:", " <-> ".join(knot))
    print(f"{len(knots)} import cycle(s) among {', '.join(PACKAGES)}")
    raise SystemExit(1 if knots else 0)
