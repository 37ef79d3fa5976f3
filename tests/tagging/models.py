from django.db import models

from elements.tagging import Tagged, TaggedQuerySet


class Note(Tagged):
    """A minimal tagged model, standing in for activities, goals, cases and CMO notes."""

    workplace = models.ForeignKey("werkplaats.Workplace", on_delete=models.CASCADE)
    title = models.CharField(max_length=100)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        app_label = "tagging_tests"
