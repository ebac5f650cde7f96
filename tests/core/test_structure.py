"""The shape DESIGN.md asks of the code, checked so it stays that way: every domain has its
rooms, api.py and views.py never touch the session, no view or template compares roles,
no services module outgrows one use case, and the package has no import cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "action_lms"
TEMPLATES = PACKAGE.parent / "templates"
DOMAINS = ["accounts", "courses", "webinars", "consulting", "plans", "practices"]
ROOMS = ["models.py", "schemas.py", "api.py", "views.py", "cli.py"]
MAX_SERVICE_LINES = 650  # DESIGN.md: "about 600 lines", then a services/ package by use case


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_has_its_rooms(domain):
    folder = PACKAGE / domain
    missing = [room for room in ROOMS if not (folder / room).exists()]
    has_services = (folder / "services.py").exists() or (folder / "services" / "__init__.py").exists()
    assert not missing and has_services, f"{domain} lacks {missing or 'services'}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_api_and_views_never_touch_the_session(domain):  # core/api.py too: see below
    for name in ("api.py", "views.py"):
        source = (PACKAGE / domain / name).read_text()
        assert "db.session" not in source, f"{domain}/{name} uses db.session: ask a service"


def test_the_core_api_helpers_hold_no_session():
    """Schemas and the blueprint class only; pagers that run queries live in core/pagination.py."""
    assert "db.session" not in (PACKAGE / "core" / "api.py").read_text()


ROLE_COMPARISON = re.compile(r"""role\s*(==|!=|\bin\b|\bnot in\b)|\bis_admin\b""")


@pytest.mark.parametrize("domain", DOMAINS)
def test_views_ask_can_functions_instead_of_comparing_roles(domain):
    source = (PACKAGE / domain / "views.py").read_text()
    assert not ROLE_COMPARISON.search(source), f"{domain}/views.py compares roles: use a can_* function"


def test_templates_never_compare_roles():
    offenders = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
                 if ROLE_COMPARISON.search(path.read_text())]
    assert offenders == [], f"templates comparing roles (pass can_* flags instead): {offenders}"


def test_no_services_module_outgrows_one_use_case():
    too_long = {}
    for path in PACKAGE.rglob("services*.py"):
        too_long[path] = len(path.read_text().splitlines())
    for path in PACKAGE.glob("*/services/*.py"):
        too_long[path] = len(path.read_text().splitlines())
    offenders = {str(p.relative_to(PACKAGE)): n for p, n in too_long.items() if n > MAX_SERVICE_LINES}
    assert offenders == {}, f"split by use case into a services/ package: {offenders}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _top_level_imports(path: Path, module: str) -> set[str]:
    """Modules of the package imported when `module` is imported (not inside functions)."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        nodes = [node] if isinstance(node, ast.Import | ast.ImportFrom) else []
        for imp in nodes:
            if isinstance(imp, ast.ImportFrom):
                base = package
                for _ in range(imp.level - 1):
                    base = base.rsplit(".", 1)[0]
                target = (f"{base}.{imp.module}" if imp.module else base) if imp.level else (imp.module or "")
                candidates = [target] + [f"{target}.{alias.name}" for alias in imp.names]
            else:
                candidates = [alias.name for alias in imp.names]
            found.update(c for c in candidates if c.startswith("action_lms"))
    return found


def test_the_package_has_no_import_cycle():
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: {m for m in _top_level_imports(path, name) if m in modules and m != name}
             for name, path in modules.items()}

    def is_parent(a: str, b: str) -> bool:  # importing a.b runs a's __init__: not a cycle of the code
        return b.startswith(a + ".")

    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if is_parent(nxt, node):
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])
