"""The service plugin, run on a tiny suite in a separate pytest: it skips with a reason, sums
the skips up, and fails them instead under --require-services."""

import re
import subprocess
import textwrap

import pytest

from tests.plugins.processes import BASE_DIR, PYTHON, clean_env
from tests.plugins.services import CHROMIUM

SUITE = """
import pytest

@pytest.mark.postgres
def test_on_postgres(): pass

@pytest.mark.redis
@pytest.mark.postgres
def test_on_both(): pass

def test_anywhere(): pass
"""


def run_pytest(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE))
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    postgres\n    redis\n")
    command = [PYTHON, "-m", "pytest", str(tmp_path), "-c", str(tmp_path / "pytest.ini")]
    command += ["-p", "no:django", "-p", "no:xdist", "-p", "no:cacheprovider"]
    command += ["-p", "tests.plugins.services", "-rs", *args]
    return subprocess.run(
        command,
        cwd=BASE_DIR,
        env=clean_env(PYTHONPATH=str(BASE_DIR), **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_services_tests_are_skipped_with_the_reason(tmp_path):
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 2 skipped" in done.stdout
    assert re.search(
        r"SKIPPED \[1\] \S*test_suite\.py:\d+: needs PostgreSQL: set DATABASE_URL=", done.stdout
    )
    assert "skipped 2 test(s): needs PostgreSQL" in done.stdout
    assert "skipped 1 test(s): needs Redis" in done.stdout


def test_with_services_nothing_is_skipped(tmp_path):
    done = run_pytest(
        tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/x", REDIS_URL="redis://127.0.0.1:1"
    )
    assert "3 passed" in done.stdout, done.stdout
    assert "no test was skipped for a missing service" in done.stdout


@pytest.mark.parametrize("how", ["option", "environment"])
def test_require_services_turns_skips_into_failures(tmp_path, how):
    if how == "option":
        done = run_pytest(tmp_path, "--require-services")
    else:
        done = run_pytest(tmp_path, PARTYADMIN_REQUIRE_SERVICES="1")
    assert done.returncode == 1
    assert "1 passed, 2 errors" in done.stdout, done.stdout
    assert "--require-services: needs PostgreSQL" in done.stdout


def test_browser_tests_need_chromium(tmp_path):
    (tmp_path / "conftest.py").write_text("")
    suite = "import pytest\n\n@pytest.mark.browser\ndef test_page(): pass\n"
    (tmp_path / "test_browser.py").write_text(suite)
    done = run_pytest(tmp_path, "-k", "page")
    if CHROMIUM.exists():
        assert "1 passed" in done.stdout, done.stdout
    else:
        assert "needs Debian's chromium at /usr/bin/chromium" in done.stdout, done.stdout
