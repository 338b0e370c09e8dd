import json

from django.core.management.base import BaseCommand

from indexer import reindex as reindexing


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the compacted property-events topic into a new "
        "index and swap the alias to it atomically (docs/services/search.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--topic", help="default settings.SEARCH_PROPERTY_TOPIC")
        parser.add_argument("--alias", help="default settings.SEARCH_INDEX_ALIAS")
        parser.add_argument(
            "--keep", type=int, default=0, help="former indices to keep (default 0)"
        )
        parser.add_argument("--chunk-size", type=int, default=reindexing.CHUNK_SIZE)
        parser.add_argument("--bulk-size", type=int, default=reindexing.BULK_SIZE)
        parser.add_argument("--parallel", type=int, default=reindexing.PARALLEL)
        parser.add_argument(
            "--grace-seconds",
            type=float,
            default=reindexing.GRACE_SECONDS,
            help="wait before deleting the old index, so searches routed to it finish",
        )

    def handle(self, *args, **options):
        result = reindexing.reindex(
            topic=options["topic"],
            alias=options["alias"],
            keep=options["keep"],
            chunk_size=options["chunk_size"],
            bulk_size=options["bulk_size"],
            parallel=options["parallel"],
            grace_seconds=options["grace_seconds"],
        )
        self.stdout.write(json.dumps(result.as_dict(), indent=2))
