from aftersales.maintenance.views import inspections, records

urlpatterns = [*inspections.urlpatterns, *records.urlpatterns]
