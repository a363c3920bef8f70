from django.urls import path

from chatdong.casemeeting import views

app_name = "casemeeting"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:meeting_id>/agenda/<int:item_id>/remove/", views.agenda_remove, name="agenda_remove"),
    path("<int:meeting_id>/attendees/", views.attendee_add, name="attendee_add"),
    path(
        "<int:meeting_id>/attendees/<int:attendee_id>/remove/", views.attendee_remove, name="attendee_remove"
    ),
    path("<int:meeting_id>/minutes/", views.minutes, name="minutes"),
    path("<int:meeting_id>/close/", views.meeting_close, name="close"),
    path("<int:meeting_id>/print/", views.minutes_print, name="print"),
    path("<int:meeting_id>/minutes.xlsx", views.minutes_export, name="export"),
]
