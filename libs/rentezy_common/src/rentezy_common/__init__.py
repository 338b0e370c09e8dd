"""RentEzy platform library, installed by every service.

Modules are imported, never run as services: settings (`conf`, `env`), structured logs
(`logs`), the one error shape (`errors`), gateway identity (`gateway`), health checks
(`health`), events (`events`: envelope, outbox, relay, consumer runner) and Celery
(`celery`). See docs/architecture/foundation.md.
"""
