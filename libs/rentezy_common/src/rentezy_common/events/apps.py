from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "rentezy_common.events"
    label = "rentezy_events"
    verbose_name = "Events (outbox and consumers)"
    default_auto_field = "django.db.models.BigAutoField"
