import json

from django.core.management.base import BaseCommand

from rentezy_common.events.outbox import outbox_lag


class Command(BaseCommand):
    help = "Print the outbox lag: unsent events and the age of the oldest, as JSON."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(outbox_lag()))
