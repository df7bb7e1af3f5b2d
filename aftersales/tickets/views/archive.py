"""The customer archive (客户服务档案): everything an engineer should read before working."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from aftersales.contracts.entitlement import asset_warranty_end
from aftersales.customers.models import Customer
from aftersales.tickets.selectors import customer_history

HISTORY_PAGE_SIZE = 20


@login_required
def customer_list(request):
    customers = Customer.objects.visible_to(request.user).order_by("name")
    query = request.GET.get("q", "").strip()
    if query:
        customers = customers.filter(name__icontains=query)
    page = Paginator(customers, 25).get_page(request.GET.get("page"))
    return render(request, "customers/list.html", {"page": page, "query": query})


@login_required
def customer_archive(request, pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    contracts = customer.contracts.select_related("service_level").prefetch_related("warranty_terms", "sites")
    assets = customer.assets.select_related("product__vendor", "site", "contract").prefetch_related(
        "contract__warranty_terms"
    )
    history = customer_history(user=request.user, customer_id=customer.pk)
    page = Paginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/archive.html",
        {
            "customer": customer,
            "sites": customer.sites.all(),
            "contacts": customer.contacts.select_related("site"),
            "contracts": contracts,
            "assets": [(asset, asset_warranty_end(asset, asset.contract)) for asset in assets],
            "page": page,
        },
    )
