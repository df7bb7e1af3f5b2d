from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "aftersales.knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from aftersales.knowledge import search_index  # noqa: F401  (registers articles with the search box)
