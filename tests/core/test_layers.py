"""The apps form layers that import only downwards, and no two modules import each other.

Every module of the project is parsed (``ast``; nothing is imported or run) and each ``import`` — at the top
of a module or inside a function, but not under ``if TYPE_CHECKING:`` — becomes an arrow from the importing
module to the imported one. An arrow from an app to an app of a higher layer fails, and so does any cycle:
between apps, or between modules. (A service queues its app's Celery task by name, ``core.jobs.enqueue``, so
the task module may import the service it runs without a circle.)

The layers (DESIGN.md §9), lowest first; apps on one line are peers (they may import each other, but not in
a cycle): a lower app that needs behaviour from a higher one offers a registry the higher one fills in
``AppConfig.ready()``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded  # the imports of the source: no database

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["backend", "workflows", "reports"]
LAYERS: list[tuple[str, ...]] = [
    ("backend.core",),
    ("backend.search",),
    ("backend.accounts",),
    ("backend.customers",),
    ("workflows",),
    ("backend.projects",),
    ("backend.partners",),  # channel partners' grades and terms: read by the quotations above
    ("backend.tenders", "backend.bids"),
    ("backend.milestones", "backend.payments"),
    ("backend.docs_templates",),
    ("backend.knowledge",),
    ("backend.discussions", "backend.activities", "backend.service"),  # collaboration, service: peers, no cycle
    ("reports",),
    ("backend.demo",),
    ("backend",),  # the Django project itself: settings, urls, the Celery app, the console script
]
LAYER_OF = {app: index for index, apps in enumerate(LAYERS) for app in apps}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_of(module: str) -> str | None:
    """The app a module belongs to: the longest layer entry that prefixes it."""
    best = None
    for app in LAYER_OF:
        if (module == app or module.startswith(app + ".")) and (best is None or len(app) > len(best)):
            best = app
    return best


def project_modules() -> dict[str, Path]:
    modules = {}
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "static" not in path.parts and "templates" not in path.parts:
                modules[module_name(path)] = path
    return modules


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(path: Path, name: str, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported project module, line) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for target in targets:
            module = resolve(target)
            if module and module != name:
                found.append((module, node.lineno))
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[tuple[Path, int]]]]:
    modules = project_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    sites: dict[tuple[str, str], list[tuple[Path, int]]] = defaultdict(list)
    for name, path in modules.items():
        for target, line in imports(path, name, modules):
            graph[name].add(target)
            sites[(name, target)].append((path, line))
    return graph, sites


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively; components of more than one node (or a node importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    nodes = set(graph) | {t for targets in graph.values() for t in targets}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
    return found


def _where(sites: list[tuple[Path, int]]) -> str:
    return ", ".join(f"{path.relative_to(ROOT)}:{line}" for path, line in sites)


def test_every_app_is_in_a_layer():
    apps = {
        ".".join(path.relative_to(ROOT).parts[:-1]) for source in SOURCES for path in (ROOT / source).glob("**/apps.py")
    }
    assert apps - set(LAYER_OF) == set(), "add the new app to LAYERS (and to DESIGN-level notes in README)"


def test_apps_import_only_downwards():
    graph, sites = import_graph()
    upward = []
    for source, targets in graph.items():
        for target in targets:
            low, high = app_of(source), app_of(target)
            if low and high and LAYER_OF[high] > LAYER_OF[low]:
                upward.append(f"{source} -> {target} ({_where(sites[(source, target)])})")
    assert upward == [], "imports from a lower layer up to a higher one:\n" + "\n".join(sorted(upward))


def test_no_import_cycles_between_apps():
    graph, sites = import_graph()
    apps: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph.items():
        for target in targets:
            a, b = app_of(source), app_of(target)
            if a and b and a != b:
                apps[a].add(b)
    cycles = [sorted(component) for component in strongly_connected(apps)]
    detail = [
        f"{s} -> {t} ({_where(sites[(s, t)])})"
        for s, targets in graph.items()
        for t in targets
        for component in cycles
        if app_of(s) in component and app_of(t) in component and app_of(s) != app_of(t)
    ]
    assert cycles == [], f"apps importing each other: {cycles}\n" + "\n".join(sorted(detail))


def test_no_import_cycles_between_modules():
    graph, _sites = import_graph()
    cycles = [sorted(c) for c in strongly_connected(graph)]
    assert cycles == [], "modules importing each other (directly or round a loop):\n" + "\n".join(
        " <-> ".join(c) for c in cycles
    )


def test_the_checker_sees_an_upward_import_and_a_cycle(tmp_path):
    """The parser and the cycle finder themselves: a known upward arrow and a known loop are found."""
    graph, _sites = import_graph()
    assert "backend.core.models" in graph["backend.projects.models"]  # a downward arrow is seen
    loop = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(loop) == [{"a", "b", "c"}]
    assert app_of("backend.bids.api.views") == "backend.bids" and app_of("backend.urls") == "backend"
    assert LAYER_OF[app_of("reports.selectors.funnel")] > LAYER_OF[app_of("backend.projects.models")]


def test_projects_asks_no_higher_app_for_its_rules():
    """Item 1 of issue 10 in so many words: transition rules come through the registry, not by name."""
    graph, sites = import_graph()
    forbidden = ("backend.bids", "backend.tenders", "backend.milestones", "backend.payments", "backend.docs_templates")
    found = [
        f"{s} -> {t} ({_where(sites[(s, t)])})"
        for s, targets in graph.items()
        if app_of(s) == "backend.projects"
        for t in targets
        if app_of(t) in (*forbidden, "backend.knowledge")
    ]
    assert found == []


def test_every_app_says_what_it_is_for_and_what_it_must_not_do():
    """Each app's AppConfig carries one docstring: its responsibility and its limit ("must not")."""
    silent = []
    for source in SOURCES:
        for path in sorted((ROOT / source).glob("**/apps.py")):
            tree = ast.parse(path.read_text())
            configs = [
                node
                for node in tree.body
                if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith("AppConfig") for b in node.bases)
            ]
            docs = [" ".join((ast.get_docstring(node) or "").split()) for node in configs]
            if not configs or not all(len(doc) > 60 and "must not" in doc.lower() for doc in docs):
                silent.append(str(path.relative_to(ROOT)))
    assert silent == []


def test_every_task_queued_by_name_is_registered():
    """``core.jobs.enqueue`` names a task by its dotted path: a misspelt name would fail only when queued."""
    import re
    from importlib import import_module

    from backend.celery import app

    named = {
        name
        for source in SOURCES
        for path in (ROOT / source).rglob("*.py")
        for name in re.findall(r'enqueue\(\s*"([\w.]+)"', path.read_text())
    }
    assert len(named) == 6, named
    for name in named:
        import_module(name.rpartition(".")[0])
    assert named - set(app.tasks) == set()
