from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Practice cases, outputs and CMO notes (filled by the cases issue)."""

    name = "cases"
    verbose_name = _("Practice cases")
