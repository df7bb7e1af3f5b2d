from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "aftersales.intake"
    verbose_name = _("Fax, hotline and monitoring intake")
