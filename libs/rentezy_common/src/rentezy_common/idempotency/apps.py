from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "rentezy_common.idempotency"
    label = "rentezy_idempotency"
    verbose_name = "Idempotency keys of POST requests"
    default_auto_field = "django.db.models.BigAutoField"
