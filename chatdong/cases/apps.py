from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "chatdong.cases"
    label = "cases"
