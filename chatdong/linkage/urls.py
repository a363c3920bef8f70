from django.urls import path

from chatdong.linkage import views

app_name = "linkage"
urlpatterns = [
    path("live-check/", views.live_check, name="live_check"),
    path("lists/", views.client_list_index, name="client_list_index"),
    path("lists/<int:list_id>/", views.client_list_detail, name="client_list_detail"),
    path("pairs/<int:pair_id>/decide/", views.pair_decide, name="pair_decide"),
    path("pairs/<int:pair_id>/undo/", views.pair_undo, name="pair_undo"),
]
