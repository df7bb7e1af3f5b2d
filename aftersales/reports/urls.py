from aftersales.reports.views import dashboard, kpis, service_reports, statistics

urlpatterns = [*dashboard.urlpatterns, *kpis.urlpatterns, *statistics.urlpatterns, *service_reports.urlpatterns]
