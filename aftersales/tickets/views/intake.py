"""Logging a request: the agent's phone intake and the customer's portal form share this view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.assets.models import Asset
from aftersales.contracts.entitlement import entitlement_check
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.core.forms import as_id
from aftersales.core.time import local_date
from aftersales.core.views import add_domain_error
from aftersales.customers.models import Contact, Customer, Site
from aftersales.tickets.choices import Channel
from aftersales.tickets.forms import IntakeForm
from aftersales.tickets.services import ticket_create


def _can_log(user) -> bool:
    return user.is_customer_user or user.has_perm(roles.LOG)


@login_required
def ticket_create_view(request):
    if not _can_log(request.user):
        raise PermissionDenied()
    form = IntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # The customer's form has no channel (the service files theirs as the portal); it is still required.
            ticket = ticket_create(actor=request.user, **{"channel": Channel.PORTAL, **form.cleaned_data})
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Ticket %(number)s was registered.") % {"number": ticket.number})
            return redirect(ticket)
    return render(request, "tickets/create.html", {"form": form})


@login_required
def intake_customer_options(request):
    """htmx: the chosen customer's sites, assets and contacts, and the entitlement for what is chosen."""
    if not _can_log(request.user):
        raise PermissionDenied()
    form = IntakeForm(request.GET, user=request.user)
    customer_id = request.user.customer_id if request.user.is_customer_user else request.GET.get("customer")
    context = {"form": form, "entitlement": _entitlement(request, customer_id)}
    if request.GET.get("part") == "entitlement":
        return render(request, "tickets/create.html#entitlement", context)
    return render(request, "tickets/create.html#customer-options", context)


def _entitlement(request, customer_id):
    customer = Customer.objects.visible_to(request.user).filter(pk=_as_int(customer_id)).first()
    if customer is None:
        return None
    site = Site.objects.visible_to(request.user).filter(pk=_as_int(request.GET.get("site")), customer=customer).first()
    asset_ids = [_as_int(value) for value in request.GET.getlist("assets")]
    asset = (
        Asset.objects.visible_to(request.user)
        .filter(pk__in=asset_ids, customer=customer)
        .select_related("product")
        .order_by("pk")
        .first()
    )
    return entitlement_check(customer_id=customer.id, site_id=site.id if site else None, asset=asset, on=local_date())


def _as_int(value) -> int:
    return as_id(value) or 0


@login_required
def contact_search(request):
    """htmx: find a caller by name or phone while on the phone with them."""
    if not request.user.has_perm(roles.LOG):
        raise PermissionDenied()
    query = request.GET.get("q", "").strip()
    contacts = []
    if len(query) >= 2:
        contacts = (
            Contact.objects.visible_to(request.user)
            .filter(Q(name__icontains=query) | Q(phone__contains=query) | Q(customer__name__icontains=query))
            .select_related("customer", "site")[:10]
        )
    return render(request, "tickets/create.html#contact-results", {"contacts": contacts, "query": query})
