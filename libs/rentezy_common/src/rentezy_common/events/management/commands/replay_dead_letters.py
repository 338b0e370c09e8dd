import json

from django.core.management.base import BaseCommand, CommandError

from rentezy_common.events.consumer import get_consumer, replay_dead_letters


class Command(BaseCommand):
    help = "Re-handle the messages in a consumer's dead-letter topic (idempotently)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="consumer name")
        parser.add_argument("--limit", type=int, default=None)
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, name, limit=None, timeout=10.0, **options):
        try:
            spec = get_consumer(name)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        result = replay_dead_letters(spec, limit=limit, timeout=timeout)
        self.stdout.write(json.dumps(result))
        if result["failed"]:
            raise CommandError("a dead letter failed again and was left in place")
