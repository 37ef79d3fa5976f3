from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WerkplaatsConfig(AppConfig):
    """The core domain: organisations, workplaces, people, memberships and the access policy."""

    name = "werkplaats"
    verbose_name = _("Professional workplaces")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from werkplaats import lookups

        lookups.register()

        from django.db.models.signals import post_delete, post_save

        from elements import reference
        from werkplaats.models import ActivityKind

        # Activity kinds are reference data too: a saved or deleted kind starts a new revision.
        for signal in (post_save, post_delete):
            signal.connect(reference.changed, sender=ActivityKind, dispatch_uid=f"kinds-{signal}")

        from elements.slots import register_element_slot
        from werkplaats.slots import SLOTS

        for slot in SLOTS:
            register_element_slot(slot)

        from werkplaats.personal_data import (
            PersonalData,
            erase_core,
            export_core,
            register_personal_data,
        )

        register_personal_data(PersonalData(key="werkplaats", export=export_core, erase=erase_core))

        from werkplaats.home_panels import HomePanel, register_home_panel
        from werkplaats.home_sections import goals_panel, quick_panel, recent_panel
        from werkplaats.notification_views import waiting_panel

        # The home page, top to bottom: log an activity, what waits (support requests,
        # unread), evaluations (order 10), my goals, my PWs, then what happened lately.
        for key, template, context, order in [
            ("quick-log", "werkplaats/home_quick_log.html", quick_panel, 1),
            ("waiting", "notifications/home_panel.html", waiting_panel, 5),
            ("my-goals", "werkplaats/home_goals.html", goals_panel, 20),
            ("recent", "werkplaats/home_recent.html", recent_panel, 900),
        ]:
            register_home_panel(HomePanel(key=key, template=template, context=context, order=order))

        from django.contrib.auth.signals import user_login_failed

        from werkplaats.audit import login_failed

        user_login_failed.connect(login_failed, dispatch_uid="werkplaats-audit-login-failed")
