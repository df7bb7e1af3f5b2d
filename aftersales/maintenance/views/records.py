"""Placeholder until its module lands."""

urlpatterns = []
