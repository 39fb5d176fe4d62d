"""Helpers for tests that start real processes (gunicorn, Celery worker and beat).

Every process gets its own process group, writes to a log file, and is stopped with
SIGTERM, then SIGKILL after a timeout, so a failing test never leaves anything behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        """Wait until the log matches the regex; fail early if the process dies."""
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.output())
            if match:
                return match
            if not self.running():
                raise AssertionError(
                    f"{self.name} exited ({self.popen.returncode}):\n{self.tail()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: no {pattern!r} in {timeout}s:\n{self.tail()}")
            time.sleep(0.2)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the whole group, wait, then SIGKILL whatever is left of it."""
        pgid = self.popen.pid  # start_new_session: the leader's pid is the group id
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # children that outlived the leader, if any
        self.popen.wait(5)


def start(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Proc:
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Proc(name, popen, log)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 10) -> tuple[int, str]:
    """(status, body) without raising on HTTP errors and without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def wait_for_http(url: str, proc: Proc, timeout: float) -> tuple[int, str]:
    """Poll until the server answers at all (any status); fail if it dies or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http_get(url, timeout=5)
        except OSError:
            pass
        if not proc.running():
            raise AssertionError(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer in {timeout}s:\n{proc.tail()}")
        time.sleep(0.3)


def with_path(url: str, path: str) -> str:
    """The same server URL with another path: a database name or a Redis db number."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + path, parts.query, parts.fragment))


# The test run's own configuration, which a started process must not inherit.
RUN_ONLY_ENV = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "PARTYADMIN_REQUIRE_SERVICES",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the test run's configuration, plus ``extra``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in RUN_ONLY_ENV and not name.startswith(("CELERY_", "PYTEST_"))
    }
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env
