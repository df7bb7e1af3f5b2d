"""Placeholder: filled in by the engineer who owns this module."""

urlpatterns = []
