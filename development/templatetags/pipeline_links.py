"""Links to pages other parts of the pipeline provide.

The step form (`dev_step`, helper a1's) is built in parallel with the office queues; until
its URL exists the queue shows the row without the link instead of failing to render.
"""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def step_url(person_pk: int, step: str) -> str:
    """The form that records `step` for the person, or '' where there is none (yet)."""
    try:
        return reverse("dev_step", args=[person_pk, step])
    except NoReverseMatch:
        return ""


@register.filter
def step_label(step: str) -> str:
    """The name of a pipeline step (development.models.Step) in the current language."""
    from development.models import Step

    return str(Step(step).label) if step in Step.values else step
