from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "chatdong.referrals"
    label = "referrals"
