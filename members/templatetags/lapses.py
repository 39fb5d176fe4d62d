from django import template

from members.models import LapseCase
from members.scoping import has_unit_perm

register = template.Library()


@register.inclusion_tag("members/lapses/_my_cases.html")
def my_lapse_cases(person):
    """The member's open lapse cases, for their own record page (one query)."""
    cases = list(LapseCase.objects.open().filter(person=person).order_by("opened_on", "id"))
    return {"cases": cases}


@register.inclusion_tag("members/lapses/_person_cases.html")
def person_lapse_cases(person, user):
    """A person's lapse cases on their page, for those who handle lapses there (one query;
    the permission is already cached by the menu)."""
    if not has_unit_perm(user, "handle_lapses", person.unit):
        return {"cases": []}
    return {"cases": list(LapseCase.objects.filter(person=person).order_by("-opened_on", "-id"))}
