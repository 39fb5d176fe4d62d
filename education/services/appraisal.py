"""The annual democratic appraisal (民主评议党员) and the outstanding-graduate selection.

Rules (DESIGN §5): ratings 优秀 / 合格 / 基本合格 / 不合格; at most a third of those rated are
优秀, a third rounded down (education.clock.excellent_quota: 2 rated → 0, 3 → 1, 7 → 2);
probationary members take part but are not rated. An appraisal is concluded only when every
full member has a rating.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from development.authority import require_approval_authority
from education import clock, selectors
from education.models import (
    Appraisal,
    AppraisalEntry,
    AppraisalStatus,
    GraduateNomination,
    NominationStatus,
    Rating,
)
from education.services._common import (
    CREATE,
    UPDATE,
    audit,
    require_text,
    require_unit_perm,
    stored,
)
from members.models import OrgUnit, Person, Stage


@transaction.atomic
def appraisal_open(*, branch: OrgUnit, year: int, actor) -> Appraisal:
    """Open the year's appraisal with every member of the branch taking part."""
    require_unit_perm(actor, branch)
    if branch.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("The democratic appraisal is held by a Party branch."))
    if Appraisal.objects.filter(branch=branch, year=year).exists():
        raise ValidationError(
            _("%(branch)s already has an appraisal for %(year)d.")
            % {"branch": branch.name, "year": year}
        )
    appraisal = Appraisal.objects.create(branch=branch, year=year, opened_by=stored(actor))
    AppraisalEntry.objects.bulk_create(
        AppraisalEntry(appraisal=appraisal, person_id=pk, probationary=stage == Stage.PROBATIONARY)
        for pk, stage in selectors.members_of(branch).values_list("pk", "stage")
    )
    audit(actor, CREATE, appraisal, f"{branch.name} {year}")
    return appraisal


def quota_problem(ratings: list[str]) -> str | None:
    """Why these ratings (of the members rated, blanks included) break the third rule."""
    rated = len(ratings)
    excellent = sum(1 for r in ratings if r == Rating.EXCELLENT)
    allowed = clock.excellent_quota(rated)
    if excellent <= allowed:
        return None
    return _(
        "At most %(max)d of the %(n)d members rated may be excellent (a third, rounded down); "
        "%(count)d were chosen."
    ) % {"max": allowed, "n": rated, "count": excellent}


def _lock(appraisal: Appraisal) -> Appraisal:
    return Appraisal.objects.select_for_update().select_related("branch").get(pk=appraisal.pk)


@transaction.atomic
def appraisal_rate(*, appraisal: Appraisal, ratings: Mapping[int, str], actor) -> Appraisal:
    """Set ratings by entry id ("" clears one). Nothing is saved if any rule is broken."""
    appraisal = _lock(appraisal)
    require_unit_perm(actor, appraisal.branch)
    if appraisal.status != AppraisalStatus.OPEN:
        raise ValidationError(_("This appraisal is concluded; its ratings no longer change."))
    entries = {e.pk: e for e in appraisal.entries.select_related("person")}
    problems = []
    for pk, rating in ratings.items():
        entry = entries.get(int(pk))
        if entry is None:
            problems.append(_("A rating was given for someone not in this appraisal."))
        elif rating and rating not in Rating.values:
            problems.append(_("%(name)s: unknown rating.") % {"name": entry.person.name})
        elif rating and entry.probationary:
            problems.append(
                _("%(name)s is a probationary member: they take part but are not rated.")
                % {"name": entry.person.name}
            )
    if problems:
        raise ValidationError(problems)
    after = {pk: e.rating for pk, e in entries.items() if not e.probationary}
    after.update({int(pk): r for pk, r in ratings.items()})
    problem = quota_problem(list(after.values()))
    if problem:
        raise ValidationError(problem)
    changed = []
    for pk, rating in ratings.items():
        entry = entries[int(pk)]
        if entry.rating != rating:
            entry.rating = rating
            changed.append(entry)
    AppraisalEntry.objects.bulk_update(changed, ["rating"])
    audit(
        actor,
        UPDATE,
        appraisal,
        f"{appraisal.branch.name} {appraisal.year} ratings",
        changed=len(changed),
    )
    return appraisal


@transaction.atomic
def appraisal_close(*, appraisal: Appraisal, actor) -> Appraisal:
    appraisal = _lock(appraisal)
    require_unit_perm(actor, appraisal.branch)
    if appraisal.status != AppraisalStatus.OPEN:
        raise ValidationError(_("This appraisal is already concluded."))
    unrated = list(
        appraisal.entries.filter(probationary=False, rating="").values_list(
            "person__name", flat=True
        )
    )
    if unrated:
        raise ValidationError(
            _("Rate every full member before concluding: %(names)s.")
            % {"names": "、".join(unrated)}
        )
    problem = quota_problem(
        list(appraisal.entries.filter(probationary=False).values_list("rating", flat=True))
    )
    if problem:
        raise ValidationError(problem)
    Appraisal.objects.filter(pk=appraisal.pk).update(
        status=AppraisalStatus.CLOSED, closed_by=stored(actor), closed_at=timezone.now()
    )
    appraisal.refresh_from_db()
    audit(actor, UPDATE, appraisal, f"{appraisal.branch.name} {appraisal.year} concluded")
    return appraisal


# The outstanding-graduate selection ------------------------------------------------------


@transaction.atomic
def nomination_create(*, person: Person, year: int, citation: str, actor) -> GraduateNomination:
    """The branch nominates a graduating member of the year, with their deeds."""
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    require_unit_perm(actor, person.unit)
    citation = require_text(citation, _("Describe the graduate's deeds."))
    if not person.is_member:
        raise ValidationError(_("%(name)s is not a Party member.") % {"name": person.name})
    if person.expected_graduation is None or person.expected_graduation.year != year:
        raise ValidationError(
            _("%(name)s does not graduate in %(year)d.") % {"name": person.name, "year": year}
        )
    if GraduateNomination.objects.filter(person=person, year=year).exists():
        raise ValidationError(_("%(name)s is already nominated.") % {"name": person.name})
    nomination = GraduateNomination.objects.create(
        person=person, year=year, citation=citation, nominated_by=stored(actor)
    )
    audit(actor, CREATE, nomination, f"{person.name} {year}")
    return nomination


@transaction.atomic
def nomination_decide(
    *, nomination: GraduateNomination, selected: bool, actor
) -> GraduateNomination:
    """The committee with approval power above the branch selects or not."""
    nomination = GraduateNomination.objects.select_for_update().get(pk=nomination.pk)
    person = Person.objects.select_related("unit").get(pk=nomination.person_id)
    require_approval_authority(actor, person.unit, _("outstanding-graduate selection"))
    if nomination.status != NominationStatus.NOMINATED:
        raise ValidationError(
            _("This nomination is already decided: %(status)s.")
            % {"status": nomination.get_status_display()}
        )
    GraduateNomination.objects.filter(pk=nomination.pk).update(
        status=NominationStatus.SELECTED if selected else NominationStatus.NOT_SELECTED,
        decided_by=stored(actor),
        decided_at=timezone.now(),
    )
    nomination.refresh_from_db()
    audit(actor, UPDATE, nomination, f"{person.name} {nomination.status}")
    return nomination
