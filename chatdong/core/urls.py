from django.urls import path

from chatdong.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("dongs/", views.dong_list, name="dong_list"),
    path("dongs/<int:dong_id>/", views.dong_detail, name="dong_detail"),
    path("notifications/", views.notification_list, name="notifications"),
]
