"""Sessions that install, test, lint, type-check, demo and benchmark the monorepo.

Every fact about which package depends on which is read from the packages' own
``pyproject.toml`` files, so this file never has to be edited when a dependency
changes. Our packages are always installed from their in-repo paths, in one
installer call, so that no same-named project is ever fetched from an index.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PACKAGES_DIR = ROOT / "packages"
PACKAGE_ORDER = [
    "graphcore",
    "tensorops",
    "autodiff",
    "rewriter",
    "randomstreams",
    "ccodegen",
    "cudagen",
    "scanloop",
    "samplers",
    "ppl",
]

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = [*PACKAGE_ORDER, "integration", "lint", "typecheck"]


def _project(name: str) -> dict:
    return tomllib.loads((PACKAGES_DIR / name / "pyproject.toml").read_text())["project"]


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0].lower()


def _in_repo(requirements: list[str]) -> list[str]:
    names = (_requirement_name(requirement) for requirement in requirements)
    return [name for name in names if name in PACKAGE_ORDER]


def required_dependencies(name: str) -> list[str]:
    """In-repo packages that ``name`` lists in its ``dependencies``."""
    return _in_repo(_project(name).get("dependencies", []))


def extra_dependencies(name: str, extra: str) -> list[str]:
    """In-repo packages that ``name``'s optional extra ``extra`` adds."""
    extras = _project(name).get("optional-dependencies", {})
    if extra not in extras:
        raise ValueError(f"{name} has no extra {extra!r}; it has {sorted(extras)}")
    return _in_repo(extras[extra])


def declared_dependencies(name: str) -> list[str]:
    """In-repo packages that ``name`` may import: those it requires, and those its
    extras add (a module of ``name`` that imports one is used only with the extra)."""
    declared = required_dependencies(name)
    for extra in _project(name).get("optional-dependencies", {}):
        declared += [d for d in extra_dependencies(name, extra) if d not in declared]
    return declared


def local_dependencies(name: str, extras: dict[str, str] | None = None) -> list[str]:
    """In-repo packages ``name`` needs, transitively, dependencies first: the required
    ones, and those of the extras asked for (``{package: "extra1,extra2"}``)."""
    extras = extras or {}
    ordered: list[str] = []

    def visit(package: str) -> None:
        wanted = required_dependencies(package)
        for extra in filter(None, extras.get(package, "").split(",")):
            wanted += extra_dependencies(package, extra.strip())
        for dependency in wanted:
            if dependency not in ordered:
                visit(dependency)
                ordered.append(dependency)

    visit(name)
    return ordered


def install_local(session: nox.Session, *names: str, extras: dict[str, str] | None = None) -> None:
    """Install the named packages and their in-repo dependencies (with the extras asked
    for, and the in-repo packages those extras add) by path, in one call."""
    extras = extras or {}
    wanted: list[str] = []
    for name in names:
        for package in [*local_dependencies(name, extras), name]:
            if package not in wanted:
                wanted.append(package)
    targets = [
        str(PACKAGES_DIR / package) + (f"[{extras[package]}]" if package in extras else "")
        for package in wanted
    ]
    session.install(*targets)


def _has_tests(folder: Path) -> bool:
    return any(folder.rglob("test_*.py"))


PACKAGE_TEST_EXTRAS = {
    "scanloop": ({"scanloop": "c"}, []),  # the loop in C: its tests compare it with Python
    "cudagen": ({"cudagen": "test"}, []),  # FAST_RUN's rewrites: fused kernels
    "samplers": ({"samplers": "plots,dask"}, ["arviz"]),  # dask: LocalCluster tests
    "ppl": ({"samplers": "plots,dask"}, ["arviz"]),
}


def _package_session(package: str) -> None:
    def run_package_tests(session: nox.Session) -> None:
        tests = PACKAGES_DIR / package / "tests"
        extras, tools = PACKAGE_TEST_EXTRAS.get(package, ({}, []))
        install_local(session, package, extras=extras)
        session.install("pytest", *tools)
        session.run("python", "-c", f"import {package}; print({package}.__name__, 'imports')")
        if not _has_tests(tests):
            session.skip(f"{package} is a skeleton so far: it installs and imports, no tests yet")
        session.run("pytest", "-q", "-p", "no:cacheprovider", str(tests), *session.posargs)

    run_package_tests.__doc__ = (
        f"Install {package} with only its declared in-repo dependencies and run its tests."
    )
    nox.session(name=package)(run_package_tests)


for _package in PACKAGE_ORDER:
    _package_session(_package)


@nox.session
def integration(session: nox.Session) -> None:
    """The packages together, and the documented examples end to end (the seed example
    scripts draw plots, hence matplotlib through samplers' plots extra)."""
    install_local(session, *PACKAGE_ORDER, extras={"samplers": "plots,dask"})
    session.install("pytest")
    tests = ROOT / "tests" / "integration"
    if not _has_tests(tests):
        session.skip("no integration tests yet")
    session.run("pytest", "-q", "-p", "no:cacheprovider", str(tests), *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the documented examples and print what they compute."""
    install_local(session, *PACKAGE_ORDER, extras={"samplers": "plots,dask"})
    session.run("python", str(ROOT / "examples" / "run_all.py"), *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks of shared/bench/WORKLOADS.md, side by side with the tools users would pick."""
    install_local(session, *PACKAGE_ORDER, extras={"samplers": "dask"})  # dask_chains.py
    # The versions shared/bench/ANCHORS.md was measured with; `nox -s bench -- NAME==VER` overrides.
    competitors = session.posargs or [
        "pytensor==2.38.3",
        "pymc==5.28.5",
        "nutpie==0.16.8",
        "jax==0.10.2",
        "jaxlib==0.10.2",
    ]
    session.install(*competitors)
    session.run("python", str(ROOT / "bench" / "run.py"))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, and import contracts generated from the declared dependencies."""
    install_local(session, *PACKAGE_ORDER)
    session.install("ruff", "import-linter")
    session.run("ruff", "check", str(ROOT))
    session.run("ruff", "format", "--check", str(ROOT))
    config = Path(session.create_tmp()) / "importlinter.ini"
    config.write_text(import_contracts())
    session.run("lint-imports", "--config", str(config))


def import_contracts() -> str:
    """One forbidden-import contract per package: nothing in-repo that it does not declare."""
    indent = "\n    "
    lines = [
        "[importlinter]",
        "root_packages =" + indent + indent.join(PACKAGE_ORDER),
        # Every import counts, function-level ones too; only type-checking imports do not.
        "exclude_type_checking_imports = true",
        "",
    ]
    for package in PACKAGE_ORDER:
        allowed = set(declared_dependencies(package))
        forbidden = [other for other in PACKAGE_ORDER if other != package and other not in allowed]
        if not forbidden:
            continue
        lines += [
            f"[importlinter:contract:{package}-declared-only]",
            f"name = {package} imports only the packages it declares",
            "type = forbidden",
            "source_modules =" + indent + package,
            "forbidden_modules =" + indent + indent.join(forbidden),
            "",
        ]
    lines += layer_contracts()
    return "\n".join(lines)


def layer_contracts() -> list[str]:
    """Layers contracts from each package's ``[tool.layers]`` table.

    ``order`` lists the package's modules from the top layer down; a module may import
    only modules in the layers below its own. ``a | b`` in one entry are siblings that
    must not import each other, ``a : b`` siblings that may (one way). Any other key
    names a subpackage and gives the order of its own modules the same way. Every
    module of a container must be listed, so a new module has to be placed.
    """
    indent = "\n    "
    lines: list[str] = []
    for package in PACKAGE_ORDER:
        pyproject = tomllib.loads((PACKAGES_DIR / package / "pyproject.toml").read_text())
        table = pyproject.get("tool", {}).get("layers", {})
        for key, order in table.items():
            container = package if key == "order" else f"{package}.{key}"
            lines += [
                f"[importlinter:contract:{container}-layers]",
                f"name = {container} keeps its layer order (no module imports one above it)",
                "type = layers",
                "containers =" + indent + container,
                "exhaustive = true",
                "layers =" + indent + indent.join(order),
                "",
            ]
    return lines


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over every package's sources."""
    install_local(session, *PACKAGE_ORDER)
    session.install("mypy", "pytest")
    sources = [str(PACKAGES_DIR / package / "src" / package) for package in PACKAGE_ORDER]
    session.run("mypy", "--config-file", str(ROOT / "mypy.ini"), *sources)
