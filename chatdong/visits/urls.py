from django.urls import path

from chatdong.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("today/", views.today_view, name="today"),
    path("plan/", views.plan_view, name="plan"),
    path("infant/", views.infant_view, name="infant"),
    path("schedule/", views.schedule_view, name="schedule"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/<str:token>.ics", views.feed_view, name="feed"),
    path("<int:visit_id>/", views.detail_view, name="detail"),
    path("<int:visit_id>/outcome/", views.outcome_view, name="outcome"),
    path("<int:visit_id>/screening/", views.screening_add_view, name="screening_add"),
    path("<int:visit_id>/case/", views.case_view, name="case"),
    path("<int:visit_id>/refer/", views.refer_view, name="refer"),
]
