"""The tenancy walk's own checks for issues 6 and 7, beside the route-by-route walk of test_authorisation_walk.py.

What the generic walk cannot say by itself: articles belong to no customer (both tenants read the one meant for
customers, nobody but staff a draft or an internal one); the search box finds a word planted in both tenants'
records and still shows customer1 only their own; the survey and service report links (their tokens are the
permission); the telephone system's and the monitors' endpoints take no person's session or token; a complaint
naming another customer's tickets; the webhook pages for administrators only; and the owner's own pages show
nothing internal of the new apps.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.api.tests.test_authorisation_walk import (
    Caller,
    body_of,
    build_world,
    changes_made,
    changes_since,
    fingerprint,
    leaked,
    rolled_back,
)
from aftersales.api.tests.test_walk_fixtures import PROBE
from aftersales.search.registry import registrations

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    return build_world(settings, tmp_path, monkeypatch)


def label_of(tenant) -> str:
    return tenant.customer.name.removesuffix("档案馆")


def internal_articles(tenant) -> list:
    return tenant.objects["article"]


def article_words(tenant) -> set[str]:
    """What the tenant's draft and internal article say: for staff only, their own customer's users included."""
    return {
        text
        for article in internal_articles(tenant)
        for text in (article.title, article.symptom, article.cause, article.solution)
        if text
    }


def shows(response, words) -> set[str]:
    text = body_of(response)
    return {word for word in words if word in text or json.dumps(word)[1:-1] in text}


# Articles ---------------------------------------------------------------------------------------


def test_both_customers_read_the_one_article_meant_for_them_and_no_draft_or_internal_one(world):
    """Articles belong to no customer: customer1 and customer2 read and rate the same published article meant for
    customers, and get a 404 on either tenant's draft and internal article, their "own" included."""
    shared = world.shared_article
    internal = article_words(world.a) | article_words(world.b)
    customers = [Caller(tenant.user) for tenant in (world.a, world.b)]
    before = fingerprint()
    for customer in customers:
        for url in (shared.get_absolute_url(), reverse("api:knowledge-article-detail", args=[shared.pk])):
            response = customer.send("GET", url)
            assert response.status_code == 200, url
            assert shared.title in body_of(response), url
            # It was written from B's ticket: customer1 is not told which (B, who may open the ticket, is).
            assert not leaked(response, world.b) or customer.user == world.b.user, url
        for url in (reverse("article_list"), reverse("api:knowledge-article-list")):
            for query in ({}, {"q": PROBE}, {"status": "draft"}):
                response = customer.send("GET", url, query=query)
                assert response.status_code == 200, (url, query)
                assert not shows(response, internal), (url, query, shows(response, internal))
            assert shared.title in body_of(customer.send("GET", url)), url
        for other in (world.a, world.b):
            for article in internal_articles(other):
                for url in (article.get_absolute_url(), reverse("api:knowledge-article-detail", args=[article.pk])):
                    assert customer.send("GET", url).status_code == 404, url
                vote = customer.send("POST", reverse("article_feedback", args=[article.pk]), {"helped": "yes"})
                assert vote.status_code == 404
    assert not (changed := changes_since(before)), "\n".join(changed)
    # Rating the shared article is real for either customer (so the 404s above are not a broken form).
    for tenant in (world.a, world.b):
        url = reverse("article_feedback", args=[shared.pk])
        assert any(
            label.startswith("knowledge.articlefeedback:")
            for label in changes_made(Caller(tenant.user), "POST", url, {"helped": "yes"})
        )


# Search -------------------------------------------------------------------------------------------


def search_answers(caller, query: str):
    """The search page and the API, for every kind and for each kind alone."""
    kinds = [registration.kind for registration in registrations()]
    for kind in ("", *kinds):
        params = {"q": query, **({"kind": kind} if kind else {})}
        yield f"page {params}", caller.send("GET", reverse("search"), query=params)
        yield f"api {params}", caller.send("GET", reverse("api:search"), query=params)


def test_searching_a_word_in_both_tenants_records_shows_customer1_only_their_own(world):
    """PROBE is in a public reply, the contact's position and the asset's software version of both tenants, and in
    every article: customer1's search finds their own ticket, contact and asset and the article meant for them, and
    none of customer2's records nor any draft or internal article, whichever kind they ask for; staff's search for
    the same word finds customer2's too (the probe would find a leak)."""
    a, b = world.a, world.b
    theirs = {b.ticket_new.number, b.contact.name, b.asset.serial_number, *(x.title for x in internal_articles(b))}
    own = {a.ticket_new.number, a.contact.name, a.asset.serial_number, world.shared_article.title}
    internal = {x.title for x in internal_articles(a)}
    customer1, staff = Caller(a.user), Caller(world.staff)
    before = fingerprint()
    found = set()
    for label, response in search_answers(customer1, PROBE):
        assert response.status_code == 200, label
        assert not leaked(response, b, [PROBE]), (label, leaked(response, b, [PROBE]))
        assert not shows(response, internal), (label, shows(response, internal))
        found |= shows(response, own)
    assert found == own
    assert not (changed := changes_since(before)), "\n".join(changed)
    staff_found = set()
    for _label, response in search_answers(staff, PROBE):
        staff_found |= shows(response, theirs)
    assert staff_found == theirs


def test_searching_customer2s_numbers_and_names_finds_customer1_nothing_of_theirs(world):
    """B's ticket numbers, contact, asset, customer and articles by their own words: customer1 finds none of it."""
    b = world.b
    customer1 = Caller(world.a.user)
    queries = [
        b.ticket_new.number,
        b.ticket_new.title,
        b.complaint.ticket.number,
        b.contact.name,
        str(b.contact.phone.national_number),
        b.asset.serial_number,
        b.customer.name,
        *(article.title for article in internal_articles(b)),
    ]
    for query in queries:
        for label, response in search_answers(customer1, query):
            assert response.status_code == 200, label
            assert not leaked(response, b, [query]), (label, leaked(response, b, [query]))


# One-time links -----------------------------------------------------------------------------------


def test_customer2s_survey_link_gives_customer1_nothing(world):
    """A survey link is for the ticket's own customer: signed in as another customer's user it is a link that does
    not exist (the page and the answer), and nothing changes; the link still works for whom it was sent to."""
    b = world.b
    url = reverse("quality_survey", kwargs={"token": b.survey_token})
    scores = {"score_overall": "1", "score_response_speed": "1", "score_professionalism": "1", "score_attitude": "1"}
    customer1, customer2 = Caller(world.a.user), Caller(b.user)
    before = fingerprint()
    for method, data in (("GET", None), ("POST", {**scores, "comment": "越权评分"})):
        response = customer1.send(method, url, data)
        assert response.status_code == 404, method
        assert not leaked(response, b), (method, leaked(response, b))
    assert not (changed := changes_since(before)), "\n".join(changed)
    # What the link shows whoever it was sent to: the request it asks about, nothing else of B's.
    allowed = {b.customer.name, b.ticket_resolved.number, b.ticket_resolved.title}
    response = Client().get(url)
    assert response.status_code == 200
    assert {b.ticket_resolved.number} <= set(leaked(response, b)) <= allowed
    assert customer2.send("GET", url).status_code == 200
    assert not changes_since(before)  # looking does not spend it
    answered = changes_made(customer2, "POST", url, {**scores, "comment": "满意"})
    assert any(label.startswith("quality.surveylink:") for label in answered)


def test_customer2s_report_link_gives_customer1_what_anybody_holding_it_gets_and_nothing_else(world):
    """A service report's emailed link is the permission (no login): with customer2's link, customer1 gets exactly
    what an anonymous visitor gets (the report's name and its two files), and still nothing of B's elsewhere."""
    b = world.b
    report = b.service_reports[0]
    customer1, anonymous = Caller(world.a.user), Client()
    page = reverse("service_report_link", kwargs={"token": b.report_token})
    allowed = {b.customer.name, b.contract.number, report.file_name("pdf"), report.file_name("xlsx")}
    as_customer1, as_anonymous = customer1.send("GET", page), anonymous.get(page)
    assert (as_customer1.status_code, as_anonymous.status_code) == (200, 200)
    assert set(leaked(as_customer1, b)) == set(leaked(as_anonymous, b))
    assert {b.customer.name} <= set(leaked(as_customer1, b)) <= allowed
    for name in ("service_report_link_pdf", "service_report_link_xlsx"):
        response = customer1.send("GET", reverse(name, kwargs={"token": b.report_token}))
        assert response.status_code == 200, name
        assert set(leaked(response, b)) <= allowed, name
    before = fingerprint()
    elsewhere = [
        reverse("service_report_detail", args=[report.pk]),
        reverse("service_report_pdf", args=[report.pk]),
        reverse("api:service-report-detail", args=[report.pk]),
        reverse("api:service-report-xlsx", args=[report.pk]),
    ]
    for url in elsewhere:
        assert customer1.send("GET", url).status_code == 404, url
    assert not changes_since(before)


# Integrations ------------------------------------------------------------------------------------------


def call_event(tenant, agent) -> dict:
    return {"call_id": "walk-intruder-1", "caller": str(tenant.contact.phone), "agent": agent.username}


def alert_event(tenant) -> dict:
    return {
        "fingerprint": "walk-intruder",
        "status": "firing",
        "title": "越权告警",
        "labels": {"serial": tenant.asset.serial_number},
    }


def test_the_telephone_and_monitoring_endpoints_take_no_persons_session_or_token(world):
    """They authenticate the other system by its own token: customer1's session or API token (or none) is refused
    and nothing is recorded, whatever the payload names; the systems' own tokens do record (so the refusal is not
    a bad payload)."""
    b = world.b
    customer1 = Caller(world.a.user)
    endpoints = {
        reverse("api:telephony_call"): call_event(b, world.agent),
        reverse("api:alert_receive"): alert_event(b),
    }
    before = fingerprint()
    for url, event in endpoints.items():
        answers = [
            customer1.api.post(url, event, format="json").status_code,
            customer1.page.post(url, event, content_type="application/json").status_code,
            Client().post(url, event, content_type="application/json").status_code,
        ]
        assert all(code in (401, 403) for code in answers), (url, answers)
    assert not (changed := changes_since(before)), "\n".join(changed)
    system = Client(headers={"authorization": f"Bearer {world.telephone_system.walk_token}"})
    monitor = Client(headers={"authorization": f"Bearer {b.alert_token}"})
    for client, url, model in (
        (system, reverse("api:telephony_call"), "intake.incomingcall:"),
        (monitor, reverse("api:alert_receive"), "intake.alert:"),
    ):
        with rolled_back():
            before = fingerprint()
            response = client.post(url, endpoints[url], content_type="application/json")
            changed = changes_since(before)
        assert response.status_code in (200, 201), response.content
        assert any(label.startswith(model) for label in changed), url


# Complaints -------------------------------------------------------------------------------------------


def test_a_complaint_naming_customer2s_tickets_is_refused_like_one_naming_no_ticket(world):
    """customer1 may complain for their own organisation, but naming B's tickets answers exactly as a number nobody
    has (the form again with "no such ticket"), and registers nothing; their own ticket is accepted."""
    a, b = world.a, world.b
    customer1 = Caller(a.user)
    url = reverse("quality_complaint_new")
    form = {"title": "越权投诉", "description": "越权", "contact_name": "越权", "contact_phone": "+8613000000000"}
    before = fingerprint()
    theirs = customer1.send("POST", url, {**form, "tickets": b.ticket_working.number})
    nobodys = customer1.send("POST", url, {**form, "tickets": "SR209901010001"})
    assert (theirs.status_code, nobodys.status_code) == (200, 200)
    assert without_tokens(body_of(theirs), b.ticket_working.number) == without_tokens(
        body_of(nobodys), "SR209901010001"
    )
    assert not leaked(theirs, b, [b.ticket_working.number])
    prefilled = customer1.send("GET", url, query={"ticket": b.ticket_working.pk})
    assert prefilled.status_code == 200 and not leaked(prefilled, b)
    assert not (changed := changes_since(before)), "\n".join(changed)
    own = changes_made(customer1, "POST", url, {**form, "tickets": a.ticket_working.number})
    assert any(label.startswith("quality.complaint:") for label in own)


def without_tokens(text: str, number: str) -> str:
    """The page with the number typed and the CSRF tokens (new on every render) taken out."""
    return re.sub(r"[A-Za-z0-9]{64}", "<token>", text.replace(number, "<number>"))


# Administrators only ----------------------------------------------------------------------------------


def test_the_webhook_pages_are_for_administrators_only(world):
    """Not only customers: every member of staff but an administrator gets 404, and nothing changes."""
    b = world.b
    subscription, delivery = b.webhook, b.objects["webhook_delivery"][0]
    pages = [
        ("GET", reverse("webhook_subscription_list")),
        ("GET", reverse("webhook_subscription_create")),
        ("GET", reverse("webhook_delivery_list")),
        ("GET", reverse("webhook_subscription_edit", args=[subscription.pk])),
        ("POST", reverse("webhook_subscription_rotate_secret", args=[subscription.pk])),
        ("POST", reverse("webhook_subscription_send_test", args=[subscription.pk])),
        ("POST", reverse("webhook_subscription_disable", args=[subscription.pk])),
        ("GET", reverse("webhook_delivery_detail", args=[delivery.pk])),
        ("POST", reverse("webhook_delivery_retry", args=[delivery.pk])),
    ]
    callers = [Caller(user) for user in (world.agent, world.engineer, world.manager, world.a.user)]
    before = fingerprint()
    for caller in callers:
        user = caller.user
        for method, url in pages:
            assert caller.send(method, url).status_code == 404, (user.username, method, url)
    assert not (changed := changes_since(before)), "\n".join(changed)
    admin = Caller(world.staff)
    assert admin.send("GET", reverse("webhook_subscription_edit", args=[subscription.pk])).status_code == 200


# The owner's own pages ------------------------------------------------------------------------------


def test_the_owners_own_pages_show_nothing_internal_of_the_new_apps(world):
    """customer2 reads their tickets, follow-ups, complaint, service report and the knowledge base: none of it
    shows the problem their ticket is linked to, a QC review, a stranger's mail kept as an internal note, the fax
    register, the hotline, monitoring, webhooks, or a draft or internal article."""
    b = world.b
    label = label_of(b)
    internal = {
        b.problem.title,
        b.problem.root_cause,
        b.problem.workaround,
        f"{label}质检意见",
        f"{label}陌生人回复",
        f"passer-{b.tag}@unknown.example",
        *(receipt.number for receipt in b.fax_receipts),
        b.fax_receipts[0].summary,
        b.alert_source.name,
        b.webhook.name,
        *article_words(b),
    }
    customer2 = Caller(b.user)
    pages = {
        b.ticket_working.get_absolute_url(): b.ticket_working.title,
        b.ticket_closed.get_absolute_url(): b.ticket_closed.title,
        reverse("api:ticket-detail", args=[b.ticket_working.pk]): b.ticket_working.title,
        reverse("api:ticket-comments", args=[b.ticket_working.number]): b.comment_public.body,
        b.complaint.ticket.get_absolute_url(): b.complaint.ticket.title,
        reverse("quality_complaint_detail", args=[b.complaint.pk]): b.complaint.ticket.title,
        reverse("quality_follow_up_detail", args=[b.objects["follow_up"][0].pk]): b.ticket_resolved.number,
        reverse("quality_follow_up_detail", args=[b.objects["follow_up"][1].pk]): b.ticket_closed.number,
        reverse("service_report_detail", args=[b.service_reports[0].pk]): b.contract.number,
        reverse("api:service-report-detail", args=[b.service_reports[0].pk]): b.contract.number,
        reverse("article_list"): world.shared_article.title,
    }
    for url, own_text in pages.items():
        response = customer2.send("GET", url)
        assert response.status_code == 200, url
        assert own_text in body_of(response), url
        assert not shows(response, internal), (url, sorted(shows(response, internal)))


def test_a_ticket_number_in_any_case_is_a_404_for_another_customer(world):
    """The ticket API takes a number in any case (sr… as SR…): customer2's numbers, lower-cased, are as unknown
    to customer1 as a number nobody has, on every route that takes one, and nothing changes."""
    b = world.b
    customer1 = Caller(world.a.user)
    routes = ["api:ticket-detail", "api:ticket-comments", "api:ticket-transitions", "api:ticket-assign"]
    before = fingerprint()
    for ticket in b.tickets:
        for name in routes:
            for method in ("GET", "POST", "PATCH"):
                data = {"body": "越权", "action": "confirm", "version": ticket.version, "title": "越权"}
                theirs = customer1.send(method, reverse(name, args=[ticket.number.lower()]), data)
                nobodys = customer1.send(method, reverse(name, args=["sr209901010001"]), data)
                assert theirs.status_code == nobodys.status_code, (name, method, ticket.number)
                assert theirs.status_code in (404, 405), (name, method, theirs.status_code)
                assert not leaked(theirs, b), (name, method)
    assert not (changed := changes_since(before)), "\n".join(changed)
