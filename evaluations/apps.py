from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    """Structural evaluation cycles: instruments, invitations, answers and the mail ledger."""

    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from evaluations.panels import open_evaluations
        from evaluations.respond_views import forget_grants
        from werkplaats.home_panels import HomePanel, register_home_panel

        register_home_panel(
            HomePanel(
                key="open-evaluations",
                template="evaluations/home_panel.html",
                context=open_evaluations,
                order=10,
            )
        )
        user_logged_in.connect(forget_grants, dispatch_uid="evaluations-forget-grants")

        from evaluations.retention import erase_personal_data, export_personal_data
        from werkplaats.personal_data import PersonalData, register_personal_data

        register_personal_data(
            PersonalData(key="evaluations", export=export_personal_data, erase=erase_personal_data)
        )
