from aftersales.parts.views import requests, stock

urlpatterns = [*stock.urlpatterns, *requests.urlpatterns]
