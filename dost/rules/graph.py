"""Dependency graph: closure of what outputs need, topological order, stage depths."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping


def closure(roots: Iterable[str], deps: Mapping[str, Iterable[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(deps.get(name, ()))
    return seen


def topo_order(
    names: Iterable[str],
    deps: Mapping[str, Iterable[str]],
    on_cycle: Callable[[list[str]], Exception],
) -> list[str]:
    """Dependencies before dependants; ``on_cycle`` builds the error for a cycle found."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in sorted(names):
        if state.get(root) == 2:
            continue
        path: list[str] = []
        # Iterative DFS: rulebooks are small, but recursion limits should never be the reason.
        stack: list[tuple[str, list[str]]] = [(root, sorted(deps.get(root, ())))]
        state[root] = 1
        path.append(root)
        while stack:
            node, pending = stack[-1]
            if pending:
                child = pending.pop()
                if state.get(child) == 1:
                    raise on_cycle([*path[path.index(child) :], child])
                if state.get(child) != 2:
                    state[child] = 1
                    path.append(child)
                    stack.append((child, sorted(deps.get(child, ()))))
            else:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(node)
    return order
