from django.urls import path

from chatdong.registry import views

app_name = "registry"
urlpatterns = [
    path("residents/", views.search, name="search"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:resident_id>/print/", views.resident_print, name="resident_print"),
    path("residents/<int:resident_id>/rrn/", views.resident_reveal, name="resident_reveal"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:batch_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:batch_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:batch_id>/errors.csv", views.import_errors, name="import_errors"),
]
