"""The graduation campaign: set up a year's deadlines (seed 003's by default), change them,
and record graduates who are delayed or leave without completing their studies."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEvent
from members.models import OrgUnit, Person
from transfers import clock
from transfers.models import GraduateException, GraduationCampaign
from transfers.services._common import require_perm, text

# Setting up a campaign is the committee office's (or the organization department's) work.
SETUP_PERM = "issue_letters"
PERM = "manage_transfers"
DEADLINES = ("roster_due", "destinations_due", "summaries_due", "archive_due")


def _check_deadlines(year: int, dates: dict[str, dt.date]) -> None:
    errors = []
    for name in DEADLINES:
        if dates[name].year != year:
            errors.append(
                _("Every deadline of the %(year)d campaign falls in %(year)d.") % {"year": year}
            )
            break
    ordered = [dates[name] for name in DEADLINES]
    if ordered != sorted(ordered):
        errors.append(
            _(
                "The deadlines go in order: roster, then destinations, then general-branch "
                "summaries, then the archive."
            )
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, unit: OrgUnit, year: int, actor, **deadlines: dt.date) -> GraduationCampaign:
    require_perm(actor, SETUP_PERM, unit)
    if unit.kind not in (OrgUnit.Kind.SCHOOL, OrgUnit.Kind.COMMITTEE):
        raise ValidationError(_("A graduation campaign is run by the school or a committee."))
    dates = {**clock.campaign_default_deadlines(year), **{k: v for k, v in deadlines.items() if v}}
    _check_deadlines(year, dates)
    try:
        with transaction.atomic():
            campaign = GraduationCampaign.objects.create(
                unit=unit,
                year=year,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                **dates,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(unit)s already has a campaign for %(year)d.") % {"unit": unit.name, "year": year}
        ) from None
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=campaign, summary=str(campaign)
    )
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign: GraduationCampaign, actor, **deadlines: dt.date
) -> GraduationCampaign:
    campaign = (
        GraduationCampaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    )
    require_perm(actor, SETUP_PERM, campaign.unit)
    unknown = set(deadlines) - set(DEADLINES)
    if unknown:
        raise ValueError(f"not a deadline: {sorted(unknown)}")
    before = {name: getattr(campaign, name) for name in DEADLINES}
    dates = {**before, **deadlines}
    _check_deadlines(campaign.year, dates)
    GraduationCampaign.objects.filter(pk=campaign.pk).update(**dates)
    for name, value in dates.items():
        setattr(campaign, name, value)
    changed = {
        k: [before[k].isoformat(), dates[k].isoformat()] for k in DEADLINES if before[k] != dates[k]
    }
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=campaign,
        summary=str(campaign),
        detail=changed,
    )
    return campaign


@transaction.atomic
def exception_record(
    *,
    campaign: GraduationCampaign,
    person: Person,
    kind: str,
    reason: str,
    new_graduation: dt.date | None = None,
    actor,
) -> GraduateException:
    """Put a graduate on the delayed-graduation / incomplete-study list of the year."""
    require_perm(actor, PERM, person.unit)
    if not person.unit.is_within(campaign.unit):
        raise ValidationError(
            _("%(name)s is not in %(unit)s.") % {"name": person.name, "unit": campaign.unit.name}
        )
    start, end = clock.graduation_year_bounds(campaign.year)
    if person.expected_graduation is None or not start <= person.expected_graduation <= end:
        raise ValidationError(
            _("%(name)s is not expected to graduate in %(year)d.")
            % {"name": person.name, "year": campaign.year}
        )
    if kind not in GraduateException.Kind.values:
        raise ValidationError(_("Say whether graduation is delayed or the studies are incomplete."))
    reason = text(reason, _("Give the reason."))
    if (
        kind == GraduateException.Kind.DELAYED
        and new_graduation is not None
        and new_graduation <= end
    ):
        raise ValidationError(_("A delayed graduation falls after this year."))
    try:
        with transaction.atomic():
            entry = GraduateException.objects.create(
                campaign=campaign, person=person, kind=kind, reason=reason,
                new_graduation=new_graduation,
                recorded_by=actor if actor is not None and actor.is_authenticated else None,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already on this year's list.") % {"name": person.name}
        ) from None
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=entry, summary=str(entry))
    return entry
