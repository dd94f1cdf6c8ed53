from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "phteah.referrals"
    label = "referrals"
    verbose_name = "The referral network"
