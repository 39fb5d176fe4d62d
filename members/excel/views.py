"""Roster import and export views. (The Excel helper fills these in.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


export_people = import_upload = import_preview = _todo
