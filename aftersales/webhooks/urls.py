from django.urls import path

from aftersales.webhooks import views

urlpatterns = [
    path("webhooks/", views.subscription_list, name="webhook_subscription_list"),
    path("webhooks/new/", views.subscription_create, name="webhook_subscription_create"),
    path("webhooks/<int:pk>/", views.subscription_edit, name="webhook_subscription_edit"),
    path("webhooks/<int:pk>/disable/", views.subscription_disable, name="webhook_subscription_disable"),
    path("webhooks/<int:pk>/enable/", views.subscription_enable, name="webhook_subscription_enable"),
    path(
        "webhooks/<int:pk>/rotate-secret/",
        views.subscription_rotate_secret,
        name="webhook_subscription_rotate_secret",
    ),
    path("webhooks/<int:pk>/test/", views.subscription_send_test, name="webhook_subscription_send_test"),
    path("webhooks/deliveries/", views.delivery_list, name="webhook_delivery_list"),
    path("webhooks/deliveries/<int:pk>/", views.delivery_detail, name="webhook_delivery_detail"),
    path("webhooks/deliveries/<int:pk>/retry/", views.delivery_retry, name="webhook_delivery_retry"),
]
