"""The webhooks API: router routes (prefix, viewset, basename) and plain paths under /api/v1/."""

routes = []
urlpatterns = []
