from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "aftersales.search"
    verbose_name = _("Search")

    def ready(self):
        # Models register themselves (each app's search_index.py, imported by its own ready()); registering
        # connects their signals. Here: the first migrate after installing search indexes what already exists.
        from aftersales.search.indexing import index_unindexed_kinds

        post_migrate.connect(index_unindexed_kinds, sender=self, dispatch_uid="search_index_unindexed_kinds")
