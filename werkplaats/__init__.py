"""Werkplaats: the project package and the core domain app."""

from werkplaats.celery import app as celery_app

__all__ = ["celery_app"]
