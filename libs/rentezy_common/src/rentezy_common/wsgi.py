"""WSGI entry point of every service: `gunicorn rentezy_common.wsgi:application`, run
from the service's directory (its settings are `config.settings`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
