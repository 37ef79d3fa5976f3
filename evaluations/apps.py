from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    """Structural evaluation cycles and dashboards (filled by the evaluations issues)."""

    name = "evaluations"
    verbose_name = _("Evaluations")
