"""The gateway's ASGI application: `uvicorn config.asgi:application`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from edge.app import Gateway  # noqa: E402

application = Gateway(django_application)
