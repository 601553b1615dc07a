"""Developer sessions: ``nox -s tests lint typecheck docs bench``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """The whole suite with branch coverage and its floor."""
    session.install("-e", ".[test]")
    session.run("pytest", "--cov", "--cov-report=term", *session.posargs)


@nox.session(python="3.11")
def fuzz(session: nox.Session) -> None:
    """The verifier's malformed-input property tests at a larger budget."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "slow", "tests/", env={"ROKHAS_FUZZ_EXAMPLES": "100000"})


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.5")
    session.run("ruff", "check", "src", "tests", "bench")
    session.run("ruff", "format", "--check", "src", "tests", "bench")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test]", "mypy>=1.10")
    session.run("mypy", "--strict", "src", "tests")


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Every benchmark under bench/, each printing ratios against its baseline."""
    session.install("-e", ".[all]")
    session.run("python", "-m", "bench", *session.posargs)
