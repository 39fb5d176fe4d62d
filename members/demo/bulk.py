"""Large demo populations (up to millions) without the per-person services.

Rows have the shape the services give (SM4-GCM ciphertext, blind index and masked form of
the ID number, stage and its dates, every student field), are made a chunk at a time so
memory stays flat, and go in with COPY on PostgreSQL (bulk_create elsewhere), one
transaction per chunk so an interrupted run keeps what it wrote and the next run tops up.
What they do not get is a per-person history entry and audit event: one audit event
records the whole batch. People in the pipeline get their step records (members/demo/
steps.py) in the same chunk and transaction, by COPY as well.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core import crypto
from core.audit import audit_record
from core.idnumber import mask_id_number
from core.models import AuditEvent
from development.models import StepRecord
from members.demo.people import PeopleGenerator, PersonSpec
from members.demo.steps import EVIDENCE, demo_steps
from members.models import OrgUnit, Person
from members.services.people import ID_INDEX_PURPOSE

CHUNK = 20_000
SQLITE_BATCH = 500  # SQLite limits the number of variables per statement

Progress = Callable[[int, int, float], None]  # (done, total, seconds so far)


def _columns() -> list[Any]:
    """Person's concrete fields except the primary key, in table order."""
    return [f for f in Person._meta.concrete_fields if not f.primary_key]


class RowMaker:
    """Turns a PersonSpec into the values of every column, defaults where it says nothing."""

    def __init__(self, unit_ids: dict[str, int]) -> None:
        self.unit_ids = unit_ids
        self.fields = _columns()
        self.position = {f.name: n for n, f in enumerate(self.fields)}
        now = timezone.now()
        self.template: list[Any] = []
        for f in self.fields:
            if f.name in ("created_at", "updated_at"):
                self.template.append(now)
            elif f.has_default():
                self.template.append(f.get_default())
            elif f.null:
                self.template.append(None)
            else:
                self.template.append(
                    "" if f.get_internal_type() in ("CharField", "TextField") else None
                )

    def row(self, spec: PersonSpec) -> list[Any]:
        row = self.template.copy()
        pos = self.position
        for name, value in spec.fields.items():
            row[pos[name]] = value
        row[pos["unit"]] = self.unit_ids[spec.branch_code]
        row[pos["stage"]] = spec.stage
        row[pos["stage_since"]] = spec.stage_since
        row[pos["id_number_encrypted"]] = crypto.encrypt(spec.id_number)
        row[pos["id_number_index"]] = crypto.blind_index(spec.id_number, ID_INDEX_PURPOSE)
        row[pos["id_number_masked"]] = mask_id_number(spec.id_number)
        return row


def _chunks(start: int, stop: int, size: int) -> Iterator[range]:
    for first in range(start, stop, size):
        yield range(first, min(first + size, stop))


def _reserve_ids(model, n: int) -> list[int]:
    """`n` consecutive primary keys taken from the table's sequence, so rows sent by COPY
    can be referred to (step records → people) without reading them back."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
    return list(range(first, first + n))


def _copy_rows(model, fields: list[Any], rows: Iterable[list[Any]]) -> None:
    """Rows are made while the server is busy with the ones already sent: both cores work."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _copy(maker: RowMaker, specs: list[PersonSpec]) -> list[int]:
    ids = _reserve_ids(Person, len(specs))
    fields = [Person._meta.pk, *maker.fields]
    _copy_rows(Person, fields, ([pk, *maker.row(s)] for pk, s in zip(ids, specs, strict=True)))
    return ids


def _bulk_create(maker: RowMaker, specs: list[PersonSpec]) -> list[int]:
    attnames = [f.attname for f in maker.fields]
    people = [Person(**dict(zip(attnames, maker.row(s), strict=True))) for s in specs]
    Person.objects.bulk_create(people, batch_size=SQLITE_BATCH)
    return [p.pk for p in people]


STEP_FIELDS = (
    "person", "step", "on", "decision", "evidence", "detail", "recorded_at", "note", "evidence_ref",
)  # fmt: skip


def _step_rows(gen: PeopleGenerator, specs: list[PersonSpec], ids: list[int], now):
    for person_id, spec in zip(ids, specs, strict=True):
        for step, on, decision in demo_steps(spec, gen.cal.ref, gen.seed):
            yield [person_id, step, on, decision, EVIDENCE, "{}", now, "", ""]


def insert_steps(gen: PeopleGenerator, specs: list[PersonSpec], ids: list[int]) -> int:
    """The step records of these people (ids in the same order); returns how many."""
    now = timezone.now()
    fields = [StepRecord._meta.get_field(name) for name in STEP_FIELDS]
    rows = list(_step_rows(gen, specs, ids, now))
    if connection.vendor == "postgresql":
        _copy_rows(StepRecord, fields, rows)
        return len(rows)
    records = [
        StepRecord(person_id=r[0], step=r[1], on=r[2], decision=r[3], evidence=r[4]) for r in rows
    ]
    StepRecord.objects.bulk_create(records, batch_size=SQLITE_BATCH)
    return len(records)


def insert_people(
    gen: PeopleGenerator,
    unit_ids: dict[str, int],
    start: int,
    stop: int,
    *,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> int:
    """Insert people `start` … `stop - 1` of the generator; returns how many."""
    if stop <= start:
        return 0
    maker = RowMaker(unit_ids)
    write = _copy if connection.vendor == "postgresql" else _bulk_create
    began = time.monotonic()
    steps = 0
    for indices in _chunks(start, stop, chunk):
        specs = [gen.person(i) for i in indices]
        with transaction.atomic():
            ids = write(maker, specs)
            steps += insert_steps(gen, specs, ids)
        if progress is not None:
            progress(indices.stop - start, stop - start, time.monotonic() - began)
    if connection.vendor == "postgresql":
        # Fresh statistics for people and units alike: with stale unit statistics the
        # planner takes a whole-school path prefix for one unit and sorts a million rows.
        with connection.cursor() as cursor:
            for model in (Person, OrgUnit, StepRecord):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    audit_record(
        actor=None,
        action=AuditEvent.Action.IMPORT,
        target_type=Person._meta.label_lower,
        summary=f"seed_demo: {stop - start} demo people in bulk",
        detail={
            "seed": gen.seed,
            "first_index": start,
            "last_index": stop - 1,
            "step_records": steps,
        },
    )
    return stop - start
