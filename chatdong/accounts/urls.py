from django.contrib.auth import views as auth_views
from django.urls import path

from chatdong.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("staff/", views.staff_list, name="staff_list"),
]
