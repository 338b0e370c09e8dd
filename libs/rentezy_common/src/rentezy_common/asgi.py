"""ASGI entry point for services without WebSocket routes of their own:
`uvicorn rentezy_common.asgi:application`, run from the service's directory."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

application = get_asgi_application()
