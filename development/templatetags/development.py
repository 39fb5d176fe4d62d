"""The "development" panel of a person's page and of a member's own page: stage, since when,
the next step, what it needs (met and unmet), when it is due, what is late, and for staff
who may act, the link to the next action."""

from django import template
from django.urls import reverse

from development.models import Step
from development.selectors import next_steps
from development.views.common import (
    OTHER_STEPS,
    Card,
    action_url,
    authority_refusal,
    optional_url,
    today,
)
from members.models import Person
from members.scoping import has_unit_perm

register = template.Library()


@register.inclusion_tag("development/_panel.html", takes_context=True)
def development_panel(context, person: Person, mine: bool = False) -> dict:
    user = context["request"].user
    nxt = next_steps([person], today())[person.pk]
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
    return {
        "person": person,
        "card": card,
        "mine": mine,
        "can_act": can_act,
        "refusal": refusal,
        "others": others,
        "record_url": "" if mine else optional_url("dev_record", pk=person.pk),
    }
