from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "chatdong.linkage"
    label = "linkage"
