from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "aftersales.assets"
    verbose_name = _("Assets")

    def ready(self):
        from aftersales.assets import search_index  # noqa: F401  (registers with the search box)
