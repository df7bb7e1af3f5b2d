"""Django strings our catalogue must carry because Django's own Chinese catalogue lacks them yet."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # the blank choice of model fields with choices (new in Django 6.1)
]
