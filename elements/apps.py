from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElementsConfig(AppConfig):
    """The LOS model's six elements and their aspects (filled by the elements issue)."""

    name = "elements"
    verbose_name = _("LOS model")
