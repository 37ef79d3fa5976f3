"""WSGI entry point (gunicorn werkplaats.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from werkplaats.config import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkplaats.settings")
load_settings_or_exit()
application = get_wsgi_application()
