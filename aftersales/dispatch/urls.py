from aftersales.dispatch.views import remote, roster, tiers, work_orders

urlpatterns = [*work_orders.urlpatterns, *roster.urlpatterns, *tiers.urlpatterns, *remote.urlpatterns]
