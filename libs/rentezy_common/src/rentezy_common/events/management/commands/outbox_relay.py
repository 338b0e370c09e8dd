from django.core.management.base import BaseCommand

from rentezy_common.events.outbox import OutboxRelay
from rentezy_common.events.signals import stop_on_signals


class Command(BaseCommand):
    help = "Publish outbox events to Kafka until SIGTERM (or once, with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--once", action="store_true", help="publish one batch and exit")

    def handle(self, *args, batch_size=None, once=False, **options):
        relay = OutboxRelay(batch_size=batch_size)
        if once:
            claimed = relay.run_once()
            relay.close()
            self.stdout.write(f"published batch of {claimed}")
            return
        relay.run(stop_on_signals())
