"""People pages. (The UI helper fills these in.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


person_list = person_create_view = person_detail = person_edit = _todo
person_remove_view = person_restore_view = person_id_number = my_record = _todo
