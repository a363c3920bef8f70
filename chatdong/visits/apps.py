from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "chatdong.visits"
    label = "visits"
