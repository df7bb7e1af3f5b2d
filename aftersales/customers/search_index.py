"""Customers and their contacts in the search box: by name, code, phone, e-mail and address.

Both link to the customer archive (客户服务档案), which lists the customer's contacts.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Contact, Customer
from aftersales.search.registry import register
from aftersales.search.text import phone_text


def _archive_url(object_id: int, customer_id: int | None) -> str:
    return reverse("customer_archive", args=[customer_id])


register(
    "customer",
    Customer,
    label=_("Customers"),
    position=20,
    text_of=lambda customer: [customer.name, customer.code, phone_text(customer.phone), customer.address],
    title_of=lambda customer: customer.name,
    ordered_at_of=lambda customer: customer.created_at,
    customer_id_of=lambda customer: customer.pk,
    url_of=_archive_url,
    fields=["name", "code", "phone", "address"],
)

register(
    "contact",
    Contact,
    label=_("Contacts"),
    position=30,
    text_of=lambda contact: [contact.name, phone_text(contact.phone), contact.email, contact.position],
    title_of=lambda contact: f"{contact.name} {contact.phone.as_national if contact.phone else ''}".strip(),
    ordered_at_of=lambda contact: contact.created_at,
    customer_id_of=lambda contact: contact.customer_id,
    url_of=_archive_url,
    fields=["name", "phone", "email", "position", "customer"],
)
