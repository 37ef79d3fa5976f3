#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkplaats.settings")
    # Developer commands work on a fresh clone without configuration. The servers (gunicorn via
    # wsgi.py, Celery) default to DEBUG off, and docker-compose.yml sets DEBUG=false for all.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    from werkplaats.config import load_settings_or_exit

    load_settings_or_exit()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
