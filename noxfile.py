"""Developer tasks: `nox` runs lint, typecheck and tests; `nox -s bench` and `nox -s demo` on demand."""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False

PYTHON = os.environ.get("PAINTBOT_NOX_PYTHON") or None  # None: the interpreter running nox


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, contract and end-to-end."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (style and bugs) and import-linter (the layer rules of docs/ARCHITECTURE.md)."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", "src", "tests", "bench", "scripts", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "bench", "scripts", "noxfile.py")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the library and the bot."""
    session.install("-e", ".[typecheck]")
    session.run("mypy", "--strict")


@nox.session(python=PYTHON)
def contract_mongo(session: nox.Session) -> None:
    """The storage contracts on MongoStore: mongomock always, a real server when
    PAINTBOT_TEST_MONGODB_URI is set (e.g. mongodb://localhost:27017; each test uses a fresh
    database and drops it)."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "tests/contract/test_mongo_contracts.py",
        "tests/contract/test_mongo_ledger_recovery.py",
        "tests/contract/test_mongo_pages.py",
        "tests/contract/test_mongo_documents.py",
        "tests/contract/test_mongo_connection.py",
        "tests/contract/test_mongo_round_trips.py",
        "tests/contract/test_storage_upkeep.py",
        "tests/contract/test_page_orders.py",
        "tests/e2e/test_migrate.py",
        *session.posargs,
    )
    if not os.environ.get("PAINTBOT_TEST_MONGODB_URI"):
        reason = "PAINTBOT_TEST_MONGODB_URI is not set: the real-server contract run is skipped"
        print(reason)
        session.skip(reason)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: print a table and write it to docs/PERFORMANCE.md (MongoDB round trips on
    PAINTBOT_TEST_MONGODB_URI's server when set, else on mongomock)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """A scripted console session on embedded defaults: register, ask for a page, get it."""
    session.install("-e", ".")
    out = session.create_tmp()
    session.env.update(
        {"PAINTBOT_DB_PATH": f"{out}/demo.sqlite3", "PAINTBOT_OUTPUT_DIR": f"{out}/pages"}
    )
    session.run(
        "bash",
        "-c",
        "printf '/start\\nПолучить раскраску\\nкот в шляпе\\n/balance\\n' | paintbot console",
        external=True,
    )
