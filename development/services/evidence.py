"""Documents a step rests on (an application, a thought report, a review's conclusion...):
checked by content and kept privately by core.uploads, attached to the step's record in the
same transaction as the step itself, so a refused step keeps no file."""

from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.models import Document
from core.uploads import document_store
from development.models import StepRecord
from members.scoping import has_unit_perm


def _may_attach(actor, record: StepRecord) -> bool:
    """The one who recorded the step, or anyone doing branch work on the person's unit."""
    if actor is None:
        return True
    if record.actor_id is not None and record.actor_id == actor.pk:
        return True
    return has_unit_perm(actor, "change_people", record.person.unit)


@transaction.atomic
def step_documents_attach(*, record: StepRecord, files: Sequence, actor) -> list[Document]:
    """Keep `files` as evidence of `record` (the person's unit decides who may read them)."""
    if not files:
        return []
    record = StepRecord.objects.select_related("person__unit").get(pk=record.pk)
    if not _may_attach(actor, record):
        raise PermissionDenied
    documents = [
        document_store(
            file=file,
            kind=f"development.{record.step}",
            unit=record.person.unit,
            person=record.person,
            actor=actor,
        )
        for file in files
    ]
    record.documents.add(*documents)
    return documents


@transaction.atomic
def step_record_with_documents(
    *, record: Callable[[], StepRecord], files: Sequence, actor
) -> StepRecord:
    """Record a step through its service and attach its documents, all or nothing."""
    result = record()
    step_documents_attach(record=result, files=files, actor=actor)
    return result
