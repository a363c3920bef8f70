from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chatdong.core"
    label = "core"
