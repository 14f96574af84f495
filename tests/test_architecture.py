"""Does the code keep the shape ARCHITECTURE.md draws: no import cycle, and every module it names there?"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograder", "course")
NOT_CODE = {"examples", "student_files", "hub_files", "templates", "materials"}  # data folders of the packages


def modules():
    """``{dotted name: path}`` of every module of the packages (a package is its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if NOT_CODE & set(parts) or "__pycache__" in parts:
                continue
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name, path, known):
    """The modules of ``known`` that module ``name`` imports anywhere: at the top, or inside a function (an import
    deferred into a function still ties the two modules together; deferring it only hides a cycle)."""
    base = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            package = base
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            module = (f"{package}.{node.module}" if node.module else package) if node.level else node.module
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def cycles(graph):
    """The strongly connected groups of more than one module (each is an import cycle), sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def test_no_import_cycle_in_autograder_and_course():
    """Can the modules of autograder/ and course/ be ordered so that each imports only modules before it?"""
    known = modules()
    assert len(known) > 40, "the modules were not found"
    graph = {name: imported(name, path, known) for name, path in known.items()}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    """Would the test see a cycle, also one made of imports deferred into functions (can it fail)?"""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    known = modules()
    assert "course.outputs" in imported("course.grading", known["course.grading"], known)
    assert "course.report" in imported("course.outputs", known["course.outputs"], known)  # inside a function


# a module as ARCHITECTURE.md names it: a path such as `autograder/runner.py` or `autograder/checks/`, or a
# dotted name such as `autograder.judge` (followed by nothing but an attribute: autograder.judge.judge_cell)
PATH = re.compile(r"`((?:autograder|course)/[^`\s]*)`")
DOTTED = re.compile(r"`((?:autograder|course)(?:\.\w+)+)")


def named_in_architecture():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    return text, PATH.findall(text), DOTTED.findall(text)


def test_every_module_architecture_md_names_exists():
    """Does every file, folder and module ARCHITECTURE.md names exist (so the page cannot go stale unnoticed)?"""
    _, paths, dotted = named_in_architecture()
    assert len(paths) > 30, "the page names fewer modules than it should (or the pattern finds none)"
    missing = [p for p in paths if not (ROOT / p).exists()]
    known = modules()
    for name in dotted:
        parts = name.split(".")
        # the longest prefix that is a module; what follows must be an attribute of it (a function, a class)
        while len(parts) > 1 and ".".join(parts) not in known:
            parts.pop()
        module = ".".join(parts)
        rest = name[len(module) + 1:].split(".")[0] if len(name) > len(module) else ""
        if module not in known or (rest and not re.search(rf"^(?:def|class)\s+{rest}\b|^{rest}\s*=|import .*\b{rest}\b",
                                                          known[module].read_text(), re.M)):
            missing.append(name)
    assert missing == []


def test_the_architecture_check_notices_a_stale_name():
    """Would a module that does not exist be noticed (can the test above fail)?"""
    assert PATH.findall("see `autograder/oldname.py` and `course/`") == ["autograder/oldname.py", "course/"]
    assert not (ROOT / "autograder/oldname.py").exists()
    assert DOTTED.findall("`autograder.judge.judge_cell`") == ["autograder.judge.judge_cell"]


def test_readme_development_points_to_architecture_md():
    """Does README's Development section send a newcomer to ARCHITECTURE.md?"""
    readme = (ROOT / "README.md").read_text()
    development = readme.split("## Development", 1)[1].split("\n## ", 1)[0]
    assert "ARCHITECTURE.md" in development
