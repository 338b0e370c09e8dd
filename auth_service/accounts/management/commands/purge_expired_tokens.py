from datetime import timedelta

from django.core.management.base import BaseCommand

from accounts.services import refresh_tokens_purge


class Command(BaseCommand):
    help = (
        "Delete refresh tokens expired for more than a day, and sessions left without "
        "tokens. Safe to run at any time (a Kubernetes CronJob runs it daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=int,
            default=24,
            help="Keep expired tokens this long (default 24): until then, presenting a "
            "rotated one still revokes its session.",
        )

    def handle(self, *args, grace_hours: int, **options):
        tokens, sessions = refresh_tokens_purge(grace=timedelta(hours=grace_hours))
        self.stdout.write(f"purged {tokens} refresh tokens and {sessions} sessions")
