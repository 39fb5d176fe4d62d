"""Letter numbers under concurrent issue on PostgreSQL: eight offices issue at the same
moment, in their own transactions; every letter gets its own number, with no gap."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.factories import School
from tests.transfer_helpers import make_member, start_out
from transfers.models import IntroductionLetter, LetterCounter
from transfers.services.letters import letter_issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


def test_concurrent_issue_gives_unique_consecutive_numbers():
    school = School()
    transfers = [
        start_out(make_member(school.branch_a1 if i % 2 else school.branch_a2, f"并发{i}"))
        for i in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def issue(transfer) -> None:
        try:
            barrier.wait()
            letter_issue(transfer=transfer, actor=None)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(t,)) for t in transfers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(IntroductionLetter.objects.values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
    assert LetterCounter.objects.get().last_number == THREADS
    assert IntroductionLetter.objects.values("serial").distinct().count() == THREADS
