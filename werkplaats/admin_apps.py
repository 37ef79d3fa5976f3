"""Django's admin, on the audited site of ``werkplaats.admin_site``."""

from django.contrib.admin.apps import AdminConfig


class WerkplaatsAdminConfig(AdminConfig):
    default_site = "werkplaats.admin_site.WerkplaatsAdminSite"
