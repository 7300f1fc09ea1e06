"""The dependency graph: run order, dependents, blast radius, cycles, DOT and Mermaid."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path

import networkx as nx
import pandas as pd

__all__ = ["blast_radius", "build_graph", "cycles", "dependents", "run_order", "to_dot", "to_mermaid"]


def build_graph(units: pd.DataFrame, dependencies: pd.DataFrame) -> nx.DiGraph:
    """Nodes are unit ids; an edge ``unit -> dependency`` for each dependency that is a unit."""
    graph = nx.DiGraph()
    for row in units.itertuples(index=False):
        if row.kind == "catalog":
            continue  # a template stacks generate units from: never run itself
        graph.add_node(
            row.unit, kind=row.kind, account=row.account, region=row.region, environment=row.environment
        )
    if not dependencies.empty:
        for row in dependencies.itertuples(index=False):
            if bool(row.exists) and row.target in graph:
                graph.add_edge(row.unit, row.target, name=row.name, kind=row.kind)
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Each cycle as the sorted unit ids of a strongly connected component (plus self-loops)."""
    found = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    found += [[n] for n in graph.nodes if graph.has_edge(n, n)]
    return sorted(found)


def run_order(graph: nx.DiGraph, destroy: bool = False) -> list[list[str]]:
    """Waves: every unit runs after all its dependencies (a cycle's members share a wave)."""
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    groups: dict[int, list[str]] = {}
    for unit, comp in members.items():
        groups.setdefault(comp, []).append(unit)
    # edges point at dependencies, so dependencies are the nodes without outgoing edges
    reverse = condensed.reverse(copy=True)
    waves: list[list[str]] = []
    for generation in nx.topological_generations(reverse):
        wave = sorted(u for comp in generation for u in groups[comp])
        waves.append(wave)
    return list(reversed(waves)) if destroy else waves


def dependents(graph: nx.DiGraph, unit: str, transitive: bool = True) -> list[str]:
    if unit not in graph:
        return []
    if transitive:
        return sorted(nx.ancestors(graph, unit))
    return sorted(graph.predecessors(unit))


def blast_radius(
    graph: nx.DiGraph,
    changed: Iterable[str],
    *,
    root: Path,
    unit_files: Mapping[str, set[Path]],
    source_dirs: Mapping[str, Path | None],
    env_paths: Mapping[str, set[str]] | None = None,
) -> pd.DataFrame:
    """Units affected by ``changed`` (unit ids or file paths), with their distance and a reason.

    A unit some of whose paths depend on an unset environment variable may read a changed file without
    anyone knowing: it comes as a row whose reason starts with ``warning:`` and names the variable.
    """
    start: dict[str, str] = {}
    files_changed = False
    for item in changed:
        files_changed = files_changed or str(item).rstrip("/") not in graph
        for unit, why in _direct(item, graph, root, unit_files, source_dirs):
            start.setdefault(unit, why)
    distance = {u: 0 for u in start}
    reasons = dict(start)
    queue = deque(sorted(start))
    while queue:
        unit = queue.popleft()
        for parent in sorted(graph.predecessors(unit)):
            if parent not in distance:
                distance[parent] = distance[unit] + 1
                reasons[parent] = f"depends on {unit}"
                queue.append(parent)
    rows: list[dict[str, object]] = [
        {"unit": u, "distance": d, "reason": reasons[u]} for u, d in distance.items()
    ]
    if files_changed:
        for unit, variables in sorted((env_paths or {}).items()):
            if unit not in distance and unit in graph:
                names = ", ".join(sorted(variables))
                reason = f"warning: paths of this unit depend on the unset environment variable(s) {names}"
                rows.append(
                    {"unit": unit, "distance": 0, "reason": reason + "; it may read the changed file"}
                )
    frame = pd.DataFrame(rows, columns=["unit", "distance", "reason"])
    if not frame.empty:
        frame = frame.sort_values(["distance", "unit"], kind="stable").reset_index(drop=True)
    frame["distance"] = frame["distance"].astype("int64")
    return frame


def _direct(
    item: str,
    graph: nx.DiGraph,
    root: Path,
    unit_files: Mapping[str, set[Path]],
    source_dirs: Mapping[str, Path | None],
) -> list[tuple[str, str]]:
    text = str(item).rstrip("/")
    if text in graph:
        return [(text, "changed")]
    path = Path(text)
    if not path.is_absolute():
        # relative to the root first; a path that only exists from the cwd is taken from there
        relative_to_cwd = Path.cwd() / path
        path = relative_to_cwd if relative_to_cwd.exists() and not (root / path).exists() else root / path
    path = Path(_norm(path))
    rel = _norm(Path(os.path.relpath(path, root))).replace(os.sep, "/")
    hits: list[tuple[str, str]] = []
    for unit in graph.nodes:
        unit_dir = root / unit if unit != "." else root
        if path == unit_dir or unit_dir in path.parents:
            hits.append((unit, f"changed {rel}"))
            continue
        if path in unit_files.get(unit, ()):
            hits.append((unit, f"reads {rel}"))
            continue
        src = source_dirs.get(unit)
        if src is not None and (path == src or src in path.parents):
            hits.append((unit, f"sources {rel}"))
    return hits


def _norm(path: Path) -> str:
    return os.path.normpath(path)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: nx.DiGraph) -> str:
    """The graph in the form ``terragrunt dag graph`` prints."""
    lines = ["digraph {"]
    for unit in sorted(graph.nodes):
        lines.append(f"\t{_quote(unit)} ;")
        for dep in sorted(graph.successors(unit)):
            lines.append(f"\t{_quote(unit)} -> {_quote(dep)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: nx.DiGraph) -> str:
    """A Mermaid flowchart: ``unit --> dependency``."""
    ids = {unit: f"u{i}" for i, unit in enumerate(sorted(graph.nodes))}
    lines = ["graph TD"]
    for unit, node in ids.items():
        lines.append(f'    {node}["{unit.replace(chr(34), "#quot;")}"]')
    for unit in sorted(graph.nodes):
        for dep in sorted(graph.successors(unit)):
            lines.append(f"    {ids[unit]} --> {ids[dep]}")
    return "\n".join(lines) + "\n"
