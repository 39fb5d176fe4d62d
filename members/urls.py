from django.urls import include, path

from members.views import lapses, org, people

urlpatterns = [
    path("people/", people.person_list, name="people_list"),
    path("people/new/", people.person_create_view, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/remove/", people.person_remove_view, name="person_remove"),
    path("people/<int:pk>/restore/", people.person_restore_view, name="person_restore"),
    path("people/<int:pk>/id-number/", people.person_id_number, name="person_id_number"),
    path("me/", people.my_record, name="my_record"),
    path("org/", org.tree, name="org_tree"),
    path("org/new/", org.unit_create_view, name="org_unit_create"),
    path("org/<int:pk>/", org.unit_detail, name="org_unit_detail"),
    path("org/<int:pk>/edit/", org.unit_edit, name="org_unit_edit"),
    path("org/<int:pk>/move/", org.unit_move_view, name="org_unit_move"),
    path("org/<int:pk>/posts/new/", org.post_create_view, name="org_post_create"),
    path("org/posts/<int:pk>/end/", org.post_end_view, name="org_post_end"),
    path("org/<int:pk>/roles/", org.roles_view, name="org_roles"),
    path("lapses/", lapses.lapse_list, name="lapse_list"),
    path("lapses/<int:pk>/", lapses.lapse_case_detail, name="lapse_case_detail"),
    path("lapses/<int:pk>/act/", lapses.lapse_case_act, name="lapse_case_act"),
    path("lapses/<int:pk>/approve/", lapses.lapse_case_approve, name="lapse_case_approve"),
    path("me/lapses/<int:pk>/", lapses.my_lapse_case, name="my_lapse_case"),
    path("", include("members.excel.urls")),
]
