from django.urls import path

from chatdong.registry import views

app_name = "registry"
urlpatterns = [
    path("residents/", views.search, name="search"),
    path("imports/", views.import_list, name="import_list"),
]
