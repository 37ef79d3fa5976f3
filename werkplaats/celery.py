"""The Celery application. Configuration comes from Django settings (prefix ``CELERY_``)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkplaats.settings")

app = Celery("werkplaats")


@app.on_configure.connect
def _load_django_settings(sender: Celery, **kwargs) -> None:
    """A broken environment variable stops worker and beat with one line, not a traceback."""
    from werkplaats.config import load_settings_or_exit

    load_settings_or_exit()


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _prepare_embedded_transport(sender: Celery, **kwargs) -> None:
    """The filesystem transport needs its folders before the first message is written."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
