from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "sales_erp.messaging"
    label = "messaging"
    verbose_name = "消息"
