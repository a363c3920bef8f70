from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "chatdong.outreach"
    label = "outreach"
