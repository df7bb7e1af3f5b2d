from django.urls import path

from aftersales.tickets.views import archive, detail, edit, intake, queue
from aftersales.tickets.views.sla_actions import call_log_view, escalation_acknowledge_view, ticket_record_arrival_view
from aftersales.tickets.views.sla_board import sla_board
from aftersales.tickets.views.sla_report import sla_report, sla_report_csv

urlpatterns = [
    path("", queue.home, name="home"),
    path("tickets/", queue.ticket_queue, name="ticket_list"),
    path("tickets/new/", intake.ticket_create_view, name="ticket_create"),
    path("tickets/new/options/", intake.intake_customer_options, name="intake_options"),
    path("tickets/new/contacts/", intake.contact_search, name="contact_search"),
    path("tickets/<int:pk>/", detail.ticket_detail_view, name="ticket_detail"),
    path("tickets/<int:pk>/edit/", edit.ticket_edit_view, name="ticket_edit"),
    path("tickets/<int:pk>/transition/", detail.ticket_transition_view, name="ticket_transition"),
    path("tickets/<int:pk>/assign/", detail.ticket_assign_view, name="ticket_assign"),
    path("tickets/<int:pk>/comments/", detail.comment_add_view, name="ticket_comment"),
    path("tickets/<int:pk>/attachments/", detail.attachment_add_view, name="ticket_attachment"),
    path("tickets/<int:pk>/arrival/", ticket_record_arrival_view, name="ticket_arrival"),
    path("tickets/<int:pk>/calls/", call_log_view, name="ticket_call"),
    path("tickets/<int:pk>/escalations/acknowledge/", escalation_acknowledge_view, name="escalation_acknowledge"),
    path("attachments/<int:pk>/", detail.attachment_download, name="attachment_download"),
    path("customers/", archive.customer_list, name="customer_list"),
    path("customers/<int:pk>/", archive.customer_archive, name="customer_archive"),
    path("sla/", sla_board, name="sla_board"),
    path("sla/report/", sla_report, name="sla_report"),
    path("sla/report/csv/", sla_report_csv, name="sla_report_csv"),
]
