from django.urls import path

from aftersales.notifications import views

urlpatterns = [
    path("", views.notification_list_view, name="notification_list"),
    path("<int:pk>/read/", views.notification_open_view, name="notification_open"),
    path("read-all/", views.notification_read_all_view, name="notification_read_all"),
    path("preferences/", views.preference_view, name="notification_preferences"),
]
