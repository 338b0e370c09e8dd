from django.core.management.base import BaseCommand, CommandError

from rentezy_common.events.consumer import (
    ConsumerRunner,
    DeadLetterLimitExceeded,
    get_consumer,
    registered_consumers,
)
from rentezy_common.events.signals import stop_on_signals


class Command(BaseCommand):
    help = "Run one of this service's Kafka consumers until SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="consumer name (omit to list them)")

    def handle(self, *args, name=None, **options):
        if not name:
            for spec in registered_consumers().values():
                self.stdout.write(f"{spec.name}: {', '.join(spec.topics)} -> {spec.dlq}")
            return
        try:
            spec = get_consumer(name)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        try:
            ConsumerRunner(spec, stop=stop_on_signals()).run()
        except DeadLetterLimitExceeded as exc:
            raise CommandError(str(exc)) from exc
