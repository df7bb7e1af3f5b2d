from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "aftersales.customers"
    verbose_name = _("Customers")

    def ready(self):
        from aftersales.customers import search_index  # noqa: F401  (registers with the search box)
