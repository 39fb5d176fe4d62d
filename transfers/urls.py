from django.urls import path

from transfers.views import letters, transfers

urlpatterns = [
    path("", transfers.transfer_list, name="transfer_list"),
    path("new/", transfers.transfer_start, name="transfer_start"),
    path("incoming/new/", transfers.transfer_incoming, name="transfer_incoming"),
    path("<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("<int:pk>/online/", transfers.transfer_online, name="transfer_online"),
    path("<int:pk>/complete/", transfers.transfer_complete, name="transfer_complete"),
    path("<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    path("<int:pk>/letter/", transfers.letter_issue, name="letter_issue"),
    path("letters/", letters.letter_list, name="letter_list"),
    path("letters/<int:pk>/pdf/", letters.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/receipt/", letters.letter_receipt, name="letter_receipt"),
    path("letters/<int:pk>/reissue/", letters.letter_reissue, name="letter_reissue"),
    path("issuers/<int:pk>/", letters.issuer_edit, name="issuer_edit"),
]
