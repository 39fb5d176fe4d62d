"""Connection settings that the benchmarks showed to matter."""

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_runs_without_jit():
    """bench/README.md: JIT compiled the homes' grouped counts for seconds at 1M people."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
