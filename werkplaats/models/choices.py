"""The reference choices the core's models share: roles, kinds of organisation, sectors and
languages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


# --- Reference choices ------------------------------------------------------------------------
class Role(models.TextChoices):
    """The six roles people hold in a PW (see DOMAIN.md, stakeholders)."""

    STUDENT = "student", _("student")
    PROFESSIONAL = "professional", _("professional")
    BRIDGE_BUILDER = "bridge_builder", _("bridge-builder")
    SUPPORTER = "supporter", _("supporter")
    CLIENT = "client", _("client / experience expert")
    MANAGER = "manager", _("manager")


class OrganisationKind(models.TextChoices):
    HIGHER_EDUCATION = "higher_education", _("higher-education institution")
    PUBLIC = "public", _("public organisation")
    OTHER = "other", _("other")


class Sector(models.TextChoices):
    YOUTH_CARE = "youth_care", _("youth care")
    REHABILITATION = "rehabilitation", _("rehabilitation")
    PUBLIC_HEALTH = "public_health", _("public health")
    SOCIAL_CARE = "social_care", _("social care")
    OTHER = "other", _("other")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
