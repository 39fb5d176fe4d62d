"""The ledger upload form. The file's content is judged by members.excel.safety, not here."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Development ledger (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    ignore_unknown = forms.BooleanField(
        label=_("Ignore columns that cannot be recognised"),
        required=False,
        help_text=_("Otherwise a workbook with such columns is refused, and they are listed."),
    )
