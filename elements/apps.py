from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElementsConfig(AppConfig):
    """The LOS model's six elements and their aspects (filled by the elements issue)."""

    name = "elements"
    verbose_name = _("LOS model")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from elements import reference
        from elements.models import Aspect, Characteristic, Element

        for model in (Element, Aspect, Characteristic):
            post_save.connect(reference.changed, sender=model, dispatch_uid=f"reference-{model}")
