from django.urls import path

from aftersales.inbox import views

urlpatterns = [
    path("inbox/", views.inbox_log, name="inbox_log"),
    path("inbox/sort/", views.inbox_sort, name="inbox_sort"),
    path("inbox/<int:pk>/", views.inbox_message, name="inbox_message"),
    path("inbox/<int:pk>/raw/", views.inbox_message_raw, name="inbox_message_raw"),
    path("inbox/<int:pk>/ticket/", views.inbox_ticket_create, name="inbox_ticket_create"),
    path("inbox/<int:pk>/attach/", views.inbox_attach, name="inbox_attach"),
    path("inbox/<int:pk>/dismiss/", views.inbox_dismiss, name="inbox_dismiss"),
    path("inbox/<int:pk>/reviewed/", views.inbox_reviewed, name="inbox_reviewed"),
]
