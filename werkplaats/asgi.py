"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from werkplaats.config import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkplaats.settings")
load_settings_or_exit()
application = get_asgi_application()
