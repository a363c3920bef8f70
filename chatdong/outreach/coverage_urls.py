"""방문 현황 pages, mounted at /outreach/coverage/."""

from django.urls import path

from chatdong.outreach import coverage_views as views

app_name = "coverage"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("staff/", views.staff, name="staff"),
    path("targets/", views.targets, name="targets"),
    path("targets/export/", views.targets_export, name="targets_export"),
    path("export.xlsx", views.export, name="export"),
]
