from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stride.accounts"
    label = "accounts"
