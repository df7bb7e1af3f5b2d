from aftersales.contracts.views import urlpatterns

__all__ = ["urlpatterns"]
