from django.urls import path

from chatdong.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("queue/", views.queue, name="queue"),
    path("finding/", views.agency_finding, name="agency_finding"),
    path("<int:referral_id>/", views.detail, name="detail"),
    # Before the generic answer route, which would take "open-case" for an action.
    path("<int:referral_id>/open-case/", views.open_case, name="open_case"),
    path("<int:referral_id>/<str:action>/", views.act, name="act"),
    path("desk/", views.desk, name="desk"),
    path("desk/search/", views.desk_search, name="desk_search"),
    path("desk/<int:consultation_id>/", views.consultation, name="consultation"),
    path("desk/needs/<int:need_id>/route/", views.route, name="route"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_edit, name="agency_create"),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:agency_id>/edit/", views.agency_edit, name="agency_edit"),
]
