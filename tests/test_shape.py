"""The shape the tree promises (docs/architecture.md): the page-serving machinery is one
package that the planner's own rules never import."""

import ast
from pathlib import Path

PLANNER = Path(__file__).resolve().parent.parent / "planner"
# Who may know about planner.serving: the views it serves and the settings that name it.
ALLOWED = {"views", "serving", "settings.py", "apps.py"}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_planners_rules_do_not_import_the_serving_machinery():
    offenders = []
    for path in PLANNER.rglob("*.py"):
        relative = path.relative_to(PLANNER)
        if relative.parts[0] in ALLOWED or relative.parts[0] == "migrations":
            continue
        if any(m.startswith("planner.serving") for m in imported_modules(path)):
            offenders.append(str(relative))

    assert offenders == []


def test_the_check_sees_an_import(tmp_path):
    module = tmp_path / "queue.py"
    module.write_text("from planner.serving import kept\n")

    assert "planner.serving.kept" in imported_modules(module)
