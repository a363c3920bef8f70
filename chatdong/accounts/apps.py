from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chatdong.accounts"
    label = "accounts"
