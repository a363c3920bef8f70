from django.urls import path

from chatdong.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("new/residents/", views.resident_pick, name="resident_pick"),
    path("supervision/", views.supervisor_queue, name="supervisor_queue"),
    path("export/", views.export, name="export"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/<slug:action>/", views.case_action, name="action"),
]
