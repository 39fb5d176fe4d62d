"""Links to pages other parts of the pipeline provide.

The step form (`dev_step`), the special-case form and the meeting and notice pages are built
in parallel with the office queues and the record; until their URLs exist the pages show the
rows without those links instead of failing to render.
"""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """The URL named `name`, or '' while no such page exists (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag
def step_url(person_pk: int, step: str) -> str:
    """The form that records `step` for the person, or '' where there is none (yet)."""
    return optional_url("dev_step", person_pk, step)


@register.filter
def step_label(step: str) -> str:
    """The name of a pipeline step (development.models.Step) in the current language."""
    from development.models import Step

    return str(Step(step).label) if step in Step.values else step
