from django.urls import path

from transfers.views import campaign, letters, mobile, transfers

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
    path("campaigns/", campaign.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", campaign.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/export/", campaign.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/exceptions/", campaign.campaign_exception, name="campaign_exception"),
    path("mobile/", mobile.mobile_list, name="mobile_list"),
    path("mobile/new/", mobile.mobile_create, name="mobile_create"),
    path("mobile/export/", mobile.mobile_export, name="mobile_export"),
    path("mobile/<int:pk>/", mobile.mobile_detail, name="mobile_detail"),
    path("mobile/<int:pk>/verify/", mobile.mobile_verify, name="mobile_verify"),
    path("mobile/<int:pk>/pair/", mobile.mobile_pair, name="mobile_pair"),
    path("mobile/<int:pk>/end/", mobile.mobile_end, name="mobile_end"),
]
