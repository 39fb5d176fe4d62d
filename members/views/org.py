"""Organization tree pages. (The UI helper fills these in.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


tree = unit_create_view = unit_detail = unit_edit = unit_move_view = _todo
post_create_view = post_end_view = roles_view = _todo
