"""Skip tests whose service is missing, say why, and sum the skips up at the end.

Tests only mark what they need; this plugin decides:

- ``postgres``: DATABASE_URL must name a PostgreSQL database;
- ``redis``: REDIS_URL must be set (tests start a real Celery worker against it);
- ``browser``: Debian's chromium must be at /usr/bin/chromium, with Playwright importable.

``--require-services`` (or PARTYADMIN_REQUIRE_SERVICES=1) turns those skips into failures,
so that CI cannot go green by skipping what it was meant to test.
"""

from __future__ import annotations

import importlib.util
import os
from collections import Counter
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIP_PREFIX = "needs "  # every skip reason given here starts with it


def missing_services() -> dict[str, str]:
    """Marker name -> why its tests cannot run here (only the markers that cannot run)."""
    missing = {}
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        missing["postgres"] = (
            "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyadmin"
        )
    if not os.environ.get("REDIS_URL"):
        missing["redis"] = (
            "needs Redis for a real Celery worker: set REDIS_URL=redis://127.0.0.1:6379/0"
        )
    if not os.access(CHROMIUM, os.X_OK):
        missing["browser"] = f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium"
    elif importlib.util.find_spec("playwright") is None:
        missing["browser"] = "needs Playwright: uv sync (it is a dev dependency)"
    return missing


_MISSING = pytest.StashKey[str]()  # why a test must fail under --require-services


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-services",
        action="store_true",
        default=os.environ.get("PARTYADMIN_REQUIRE_SERVICES", "") in {"1", "true", "yes"},
        help="fail, instead of skipping, tests marked postgres/redis/browser whose service is "
        "missing (also PARTYADMIN_REQUIRE_SERVICES=1)",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    browser = "none" if "browser" in missing_services() else f"chromium ({CHROMIUM})"
    lines = [f"browser: {browser}"]
    if config.getoption("require_services"):
        lines.append("services: required (a missing service fails its tests)")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = missing_services()
    required = config.getoption("require_services")
    for item in items:
        reasons = [why for marker, why in missing.items() if item.get_closest_marker(marker)]
        if not reasons:
            continue
        reason = "; ".join(reasons)
        if required:
            item.stash[_MISSING] = reason  # fails in pytest_runtest_setup
        else:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _MISSING in item.stash:
        pytest.fail(f"--require-services: {item.stash[_MISSING]}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Playwright's sync API runs an event loop in the test's thread, which trips Django's
    async-safety check on every ORM call; allow it for browser tests only."""
    if item.get_closest_marker("browser") is None:
        return (yield)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        return (yield)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _skip_reason(report: pytest.TestReport) -> str:
    # A skip's longrepr is (path, line, "Skipped: reason").
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """One short block: which services this run had, and how many tests each missing one
    cost (the -rs list above names the tests)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if r.when in ("setup", "call")]
    # A test may miss several services ("needs X; needs Y"): count it under each.
    counts = Counter(part for r in skipped for part in _skip_reason(r).split("; "))
    service_skips = {reason: n for reason, n in counts.items() if reason.startswith(SKIP_PREFIX)}
    terminalreporter.section("PartyAdmin services")
    database = "PostgreSQL" if "postgres" not in missing_services() else "SQLite"
    terminalreporter.write_line(
        f"database: {database}; redis: {'no' if 'redis' in missing_services() else 'yes'}; "
        f"browser: {'no' if 'browser' in missing_services() else 'yes'}"
    )
    if not service_skips:
        terminalreporter.write_line("no test was skipped for a missing service")
        return
    for reason, n in sorted(service_skips.items()):
        terminalreporter.write_line(f"skipped {n} test(s): {reason}", yellow=True)
