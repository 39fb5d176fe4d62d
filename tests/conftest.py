import os

import pytest

from tests.factories import School

pytest_plugins = ["tests.plugins.services"]  # service skips and their summary


def pytest_report_header(config):
    db = (
        "PostgreSQL"
        if os.environ.get("DATABASE_URL")
        else "SQLite (set DATABASE_URL for PostgreSQL)"
    )
    redis = (
        "Redis" if os.environ.get("REDIS_URL") else "none (set REDIS_URL for a real Celery worker)"
    )
    return [f"database: {db}", f"broker: {redis}"]


@pytest.fixture
def school(db) -> School:
    return School()
