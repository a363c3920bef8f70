from django.apps import AppConfig


class CasemeetingConfig(AppConfig):
    name = "chatdong.casemeeting"
    label = "casemeeting"
