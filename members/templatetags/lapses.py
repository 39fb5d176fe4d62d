from django import template

from members.models import LapseCase

register = template.Library()


@register.inclusion_tag("members/lapses/_my_cases.html")
def my_lapse_cases(person):
    """The member's open lapse cases, for their own record page (one query)."""
    cases = list(LapseCase.objects.open().filter(person=person).order_by("opened_on", "id"))
    return {"cases": cases}
