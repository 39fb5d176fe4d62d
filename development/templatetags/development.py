"""The "development" panel of a person's page and of a member's own page: stage, since when,
the next step, what it needs (met and unmet), when it is due, what is late, and for staff
who may act, the link to the next action."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from development.models import Step
from development.requirements import ACTIVE_STAGES
from development.selectors import load_files, next_step
from development.views.common import (
    OTHER_STEPS,
    Card,
    action_url,
    authority_refusal,
    optional_url,
    today,
)
from members.models import Person, Stage
from members.scoping import has_unit_perm

register = template.Library()


def _plain_met(labels: list[str]) -> list[str]:
    """Met requirements worth reading: not the bookkeeping every step shares."""
    shared = {
        _("In the right stage"),
        _("Not on record yet"),
        _("Not in the future"),
        _("After the application"),
        _("After the current stage began"),
    }
    return [label for label in labels if label not in shared]


def _fact_url(person: Person, kind: str) -> str:
    return reverse("dev_fact", kwargs={"pk": person.pk, "kind": kind})


@register.inclusion_tag("development/_panel.html", takes_context=True)
def development_panel(context, person: Person, mine: bool = False) -> dict:
    user = context["request"].user
    f = load_files([person])[person.pk]
    nxt = next_step(f, today())
    can_act = (
        not mine and not person.removed_at and has_unit_perm(user, "change_people", person.unit)
    )
    card = Card(person, nxt, action_url(person, nxt.step) if can_act else "")
    refusal = authority_refusal(user, person, nxt.step) if can_act and nxt.step else ""
    others = []
    if can_act:
        others = [
            (Step(step).label, reverse("dev_step", kwargs={"pk": person.pk, "step": step}))
            for step in OTHER_STEPS.get(person.stage, ())
            if step != nxt.step
        ]
    facts = []
    if can_act and person.stage in ACTIVE_STAGES:
        facts.append((_("Record a veto"), _fact_url(person, "veto")))
        if f.rules.experiences_required:
            facts.append((_("Record an experience"), _fact_url(person, "experience")))
        if f.rules.volunteer_hours_required and person.stage == Stage.PROBATIONARY:
            facts.append((_("Record volunteer service"), _fact_url(person, "volunteer")))
    return {
        "person": person,
        "met": _plain_met(nxt.met),
        "facts": facts,
        "vetoes": [
            (veto, reverse("dev_veto_lift", kwargs={"pk": veto.pk}) if can_act else "")
            for veto in f.vetoes
        ],
        "card": card,
        "mine": mine,
        "can_act": can_act,
        "refusal": refusal,
        "others": others,
        "record_url": "" if mine else optional_url("dev_record", pk=person.pk),
    }
