from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Practice cases, outputs, CMO notes, case studies and the experience-expert pool."""

    name = "cases"
    verbose_name = _("Practice cases")

    def ready(self) -> None:
        from cases.panels import research_links
        from werkplaats.home_panels import HomePanel, register_home_panel

        register_home_panel(
            HomePanel(
                key="research-links",
                template="cases/home_panel.html",
                context=research_links,
                order=20,
            )
        )

        from cases.services import erase_personal_data, export_personal_data
        from werkplaats.personal_data import PersonalData, register_personal_data

        register_personal_data(
            PersonalData(key="cases", export=export_personal_data, erase=erase_personal_data)
        )
