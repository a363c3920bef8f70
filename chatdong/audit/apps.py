from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chatdong.audit"
    label = "audit"
