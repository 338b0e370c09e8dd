from confluent_kafka.admin import AdminClient
from django.core.management.base import BaseCommand

from rentezy_common.events.kafka import kafka_config
from rentezy_common.events.topics import TOPICS, ensure_topics


class Command(BaseCommand):
    help = "Create the platform's Kafka topics that do not exist yet."

    def handle(self, *args, **options):
        created = ensure_topics(AdminClient(kafka_config()), TOPICS.values())
        self.stdout.write(f"created: {', '.join(created) or 'none'}")
