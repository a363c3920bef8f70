from django.urls import path

from chatdong.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("programs/<int:program_id>/edit/", views.program_edit, name="program_edit"),
    path("programs/<int:program_id>/extract/", views.program_extract, name="program_extract"),
    path("programs/<int:program_id>/targets/", views.target_list, name="target_list"),
    path("programs/<int:program_id>/assign/", views.target_assign_auto, name="target_assign_auto"),
    path("programs/<int:program_id>/upload/", views.target_list_upload, name="target_list_upload"),
    path("programs/<int:program_id>/add/", views.target_add, name="target_add"),
    path("residents/", views.resident_pick, name="resident_pick"),
    path("targets/<int:target_id>/", views.target_detail, name="target_detail"),
    path("targets/<int:target_id>/consent/", views.target_consent, name="target_consent"),
    path("targets/<int:target_id>/assign/", views.target_assign, name="target_assign"),
    path("targets/<int:target_id>/notice/", views.target_notice, name="target_notice"),
    path("load/", views.staff_load, name="staff_load"),
    path("outbox/", views.outbox, name="outbox"),
    path("pregnancies/", views.pregnancy_list, name="pregnancy_list"),
    path("templates/", views.template_list, name="template_list"),
]
