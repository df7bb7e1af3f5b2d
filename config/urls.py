from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("aftersales.tickets.urls")),
    path("", include("aftersales.dispatch.urls")),
    path("", include("aftersales.parts.urls")),
    path("", include("aftersales.maintenance.urls")),
    path("", include("aftersales.contracts.urls")),
    path("", include("aftersales.search.urls")),
    path("", include("aftersales.knowledge.urls")),
    path("", include("aftersales.intake.urls")),
    path("", include("aftersales.inbox.urls")),
    path("", include("aftersales.webhooks.urls")),
    path("", include("aftersales.quality.urls")),
    path("", include("aftersales.reports.urls")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("notifications/", include("aftersales.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("aftersales.api.urls")),
    path("admin/", admin.site.urls),
]
