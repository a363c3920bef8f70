from django.urls import path

from chatdong.audit import views

app_name = "audit"
urlpatterns = [
    path("logs/", views.log_list, name="log_list"),
    path("logs/verify/", views.chain_verify, name="chain_verify"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_create, name="review_create"),
]
