"""The API: version 1 under /api/v1/, its OpenAPI schema and a local Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from aftersales.api.auth import TokenObtainView
from aftersales.assets.api import AssetViewSet
from aftersales.contracts.api import ContractViewSet
from aftersales.customers.api import ContactViewSet, CustomerViewSet, SiteViewSet
from aftersales.dispatch.api import WorkOrderViewSet
from aftersales.inbox import api as inbox_api
from aftersales.intake import api as intake_api
from aftersales.knowledge import api as knowledge_api
from aftersales.quality import api as quality_api
from aftersales.reports import api as reports_api
from aftersales.search import api as search_api
from aftersales.tickets.api import CommentViewSet, TicketViewSet, TransitionViewSet
from aftersales.webhooks import api as webhooks_api

# Apps declare their own routes and paths; this module only mounts them.
APP_APIS = (inbox_api, intake_api, knowledge_api, quality_api, reports_api, search_api, webhooks_api)

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("sites", SiteViewSet, basename="site")
router.register("contacts", ContactViewSet, basename="contact")
router.register("contracts", ContractViewSet, basename="contract")
router.register("assets", AssetViewSet, basename="asset")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("ticket-comments", CommentViewSet, basename="ticket-comment")
router.register("ticket-transitions", TransitionViewSet, basename="ticket-transition")
router.register("work-orders", WorkOrderViewSet, basename="work-order")
for app_api in APP_APIS:
    for prefix, viewset, basename in app_api.routes:
        router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns = [
    path("v1/auth/token/", TokenObtainView.as_view(), name="token"),
    path("v1/", include(router.urls)),
    *(path("v1/", include(app_api.urlpatterns)) for app_api in APP_APIS),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page runs under our CSP (no inline script).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
