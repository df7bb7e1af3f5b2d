from django.urls import path

from aftersales.intake.views import alerts, fax, hotline

urlpatterns = [
    path("fax/", fax.fax_register_list, name="fax_register"),
    path("fax/upload/", fax.fax_upload, name="fax_upload"),
    path("fax/waiting/", fax.fax_waiting, name="fax_waiting"),
    path("fax/<int:pk>/", fax.fax_detail, name="fax_detail"),
    path("fax/<int:pk>/assign/", fax.fax_assign_view, name="fax_assign"),
    path("fax/<int:pk>/dismiss/", fax.fax_dismiss_view, name="fax_dismiss"),
    path("fax/<int:pk>/file/", fax.fax_file, name="fax_file"),
    path("hotline/", hotline.hotline, name="hotline"),
    path("hotline/ringing/", hotline.hotline_ringing, name="hotline_ringing"),
    path("hotline/calls/<int:pk>/", hotline.call_detail, name="call_detail"),
    path("hotline/calls/<int:pk>/log/", hotline.call_log_view, name="call_log"),
    path("hotline/calls/<int:pk>/ticket/", hotline.call_ticket_view, name="call_ticket"),
    path("hotline/calls/<int:pk>/dismiss/", hotline.call_dismiss_view, name="call_dismiss"),
    path("alerts/", alerts.alert_list, name="alert_list"),
]
