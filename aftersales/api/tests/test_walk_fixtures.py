"""The tenancy walk's records of issues 6 and 7, for each tenant, made through the apps' services.

Helpers only (no tests here): `test_authorisation_walk.make_tenant` calls the `add_*` functions, and the `world`
fixture calls `finish_world` once both tenants exist (the follow-up planner, the QC sampler and the webhook sweep
run over every customer at once). Each function records the tenant's objects by kind in `t.new_objects` and the
words no other customer may ever see in `t.new_secrets`.

Articles belong to no customer: every tenant gets a draft and a published internal article whose words only staff
may read, and the world has one published article meant for customers, which both tenants' users read (the walk's
owner check uses it, see `owner_object`).
"""

import datetime as dt
from urllib.parse import urlsplit

from django.utils import timezone

from aftersales.core.time import local_date
from aftersales.inbox.services import message_ingest
from aftersales.inbox.tests.factories import MailboxFactory
from aftersales.inbox.tests.mails import build
from aftersales.intake.alert_payloads import parse
from aftersales.intake.alerts import alerts_receive
from aftersales.intake.fax import fax_register
from aftersales.intake.hotline import call_receive
from aftersales.intake.models import AlertSource, SourceKind, TelephoneSystem
from aftersales.intake.tokens import token_hash, token_hint, token_new
from aftersales.knowledge.services import (
    article_create,
    article_from_ticket,
    article_publish,
    article_update,
    problem_create,
    problem_link_incident,
)
from aftersales.notifications.models import Outbox
from aftersales.quality.models import FollowUp, QcReview
from aftersales.quality.services.complaints import complaint_register
from aftersales.quality.services.follow_ups import follow_up_record, follow_ups_plan
from aftersales.quality.services.reviews import qc_review_record, qc_sample
from aftersales.quality.services.surveys import survey_link_send
from aftersales.reports import services as reports
from aftersales.reports.choices import PeriodKind
from aftersales.tickets import services as tickets
from aftersales.webhooks.models import WebhookDelivery
from aftersales.webhooks.services import subscription_create, subscription_set_active
from aftersales.webhooks.sweep import events_sweep

# A word planted in both tenants' records (a public reply, a contact's position, an asset's software version, their
# articles): searching for it matches customer2's records too, and customer1 must still see none of them.
PROBE = "鹈鹕巡检探针"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
WEBHOOK_HOST = "hooks.walk.example"
WEBHOOK_ADDRESS = "93.184.215.14"  # a public address the fake resolver gives; nothing is ever sent to it


def resolve_public(host: str, port: int) -> list[str]:
    """The walk's DNS: every name is a public address (a subscription's address is checked when saved)."""
    return [WEBHOOK_ADDRESS]


def start(t) -> None:
    t.new_objects, t.new_secrets, t.owned = {}, [], {}


def add_webhook_subscriptions(t, label: str, *, staff) -> None:
    """Right after the customer exists (a subscription's cursor starts at the newest event): one subscription
    filtered to this customer, whose sweep turns the tenant's ticket events into deliveries, and one disabled."""
    t.webhook, _secret = subscription_create(
        actor=staff,
        name=f"{label}集成订阅",
        url=f"https://{WEBHOOK_HOST}/{t.tag}/hook",
        event_kinds=["ticket.created"],
        customer=t.customer,
    )
    off, _secret = subscription_create(
        actor=staff,
        name=f"{label}停用订阅",
        url=f"https://{WEBHOOK_HOST}/{t.tag}/off",
        event_kinds=["ticket.status_changed"],
        customer=t.customer,
    )
    t.webhook_off = subscription_set_active(actor=staff, subscription=off, active=False)
    t.new_secrets += [t.webhook.name, t.webhook_off.name, t.webhook.url, t.webhook_off.url]


def add_knowledge(t, label: str, *, engineer) -> None:
    """A draft and a published internal article (both with the probe word: only staff may read them), and a
    problem linked to the working ticket."""
    draft = article_create(
        actor=engineer,
        title=f"{label}草稿文章",
        symptom=f"{label}草稿症状{PROBE}",
        solution=f"{label}草稿解决",
        visible_to_customers=True,  # meant for customers, but not published yet
    )
    internal = article_create(
        actor=engineer,
        title=f"{label}内部文章",
        symptom=f"{label}内部症状{PROBE}",
        cause=f"{label}内部原因",
        solution=f"{label}内部解决",
        visible_to_customers=False,
    )
    internal = article_publish(actor=engineer, article=internal, version=internal.version)
    t.problem = problem_create(
        actor=engineer,
        title=f"{label}已知问题",
        description=f"{label}已知问题说明",
        root_cause=f"{label}问题根因",
        workaround=f"{label}临时方案",
    )
    problem_link_incident(actor=engineer, problem=t.problem, ticket=t.ticket_working)
    t.new_objects |= {"article": [draft, internal], "problem": [t.problem]}
    t.new_secrets += [
        draft.title,
        draft.symptom,
        draft.solution,
        internal.title,
        internal.symptom,
        internal.cause,
        internal.solution,
        t.problem.title,
        t.problem.description,
        t.problem.root_cause,
        t.problem.workaround,
    ]


def add_search_probe(t, label: str) -> None:
    """The probe word in a public reply (tickets are found by their public replies)."""
    comment = tickets.comment_add(actor=t.user, ticket=t.ticket_new, body=f"{label}公开补充{PROBE}")
    t.new_secrets.append(comment.body)


def add_complaint(t, label: str, phone: str, *, agent, engineer) -> None:
    """The customer's own complaint in the portal about the working ticket, worked to resolved (it may be closed)."""
    complaint = complaint_register(
        actor=t.user,
        customer=t.customer,
        title=f"{label}投诉标题",
        description=f"{label}投诉经过",
        contact_name=f"{label}投诉人",
        contact_phone=phone,
        channel="portal",
        related_tickets=[t.ticket_working],
    )
    ticket = tickets.ticket_assign(
        actor=agent, ticket=complaint.ticket, assignee=engineer, version=complaint.ticket.version
    )
    ticket = tickets.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=ticket.version)
    tickets.ticket_transition(
        actor=engineer,
        ticket=ticket,
        action="resolve",
        version=ticket.version,
        resolution=f"{label}投诉处理结果",
        resolution_method="remote",
        root_cause=f"{label}投诉根因",
        corrective_action=f"{label}纠正措施",
    )
    complaint.refresh_from_db()
    t.complaint = complaint
    t.new_objects["complaint"] = [complaint]
    number = complaint.ticket.number
    t.new_secrets += [number, f"{label}投诉标题", f"{label}投诉经过", f"{label}投诉人", f"{label}投诉处理结果"]
    t.new_secrets += [f"{label}投诉根因", f"{label}纠正措施"]


def add_intake(t, label: str, phone: str, *, agent, telephone_system) -> None:
    """A fax waiting for an agent and one registered as a ticket, a call ringing at the agent from the customer's
    number, and a monitoring alert of the customer's own source that opened a ticket for its asset."""
    now = timezone.now()
    waiting = fax_register(
        actor=agent,
        file_name=f"{t.tag}-fax.pdf",
        content=PDF,
        content_type="application/pdf",
        fax_number=f"0571-8{ord(t.tag):03d}7766",
        received_at=now - dt.timedelta(minutes=1),
        summary=f"{label}传真：服务器告警",
    )
    filed = fax_register(
        actor=agent,
        file_name=f"{t.tag}-fax-filed.pdf",
        content=PDF,
        content_type="application/pdf",
        fax_number=f"0571-8{ord(t.tag):03d}7767",
        received_at=now - dt.timedelta(minutes=1),
        summary=f"{label}传真报修：磁盘故障",
        customer=t.customer,
        contact_name=f"{label}传真联系人",
        contact_phone=phone,
    )
    assert waiting.ticket_id is None and filed.ticket_id is not None
    t.call, _created = call_receive(
        system=telephone_system,
        call_id=f"walk-call-{t.tag}",
        caller=phone,
        called="95000",
        agent_ref=agent.username,
    )
    token = token_new()
    t.alert_source = AlertSource.objects.create(
        name=f"{label}监控平台",
        kind=SourceKind.GENERIC,
        customer=t.customer,
        contact=t.contact,
        run_as=agent,
        token_hash=token_hash(token),
        token_hint=token_hint(token),
    )
    t.alert_token = token
    alert_title = f"{label}监控告警：磁盘将满"
    payload = {
        "fingerprint": f"walk-{t.tag}",
        "status": "firing",
        "title": alert_title,
        "severity": "critical",
        "labels": {"serial": t.asset.serial_number},
    }
    [result] = alerts_receive(source=t.alert_source, alerts=parse(SourceKind.GENERIC, payload))
    t.fax_receipts = [waiting, filed]
    t.new_objects |= {"fax_receipt": t.fax_receipts, "incoming_call": [t.call]}
    t.new_secrets += [
        waiting.number,
        waiting.fax_number,
        waiting.summary,
        filed.number,
        filed.fax_number,
        filed.summary,
        filed.ticket.number,
        f"{label}传真联系人",
        t.alert_source.name,
        alert_title,
        result.alert.ticket.number,
    ]


def add_inbox(t, label: str, *, agent) -> None:
    """Mail in a mailbox of the tenant's own: one from a stranger waiting to be sorted, and a stranger's reply on
    the working ticket, kept as an internal note to review."""
    mailbox = MailboxFactory(owner=agent, address=f"support-{t.tag}@walk.example", display_name=f"{label}服务邮箱")
    to_sort = message_ingest(
        mailbox=mailbox,
        raw=build(
            sender=f"陌生人 <stranger-{t.tag}@unknown.example>",
            to=mailbox.address,
            subject=f"{label}邮件：打印机卡纸",
            text=f"{label}邮件正文：三楼打印机卡纸。",
        ),
    )
    note = message_ingest(
        mailbox=mailbox,
        raw=build(
            sender=f"路人 <passer-{t.tag}@unknown.example>",
            to=mailbox.address,
            subject=f"Re: {t.ticket_working.number}",
            text=f"{label}陌生人回复：请尽快处理。",
        ),
    )
    assert (to_sort.outcome, note.outcome, note.needs_review) == ("to_sort", "note_for_review", True)
    t.new_objects["inbound_message"] = [to_sort, note]
    t.new_secrets += [
        to_sort.subject,
        f"{label}邮件正文",
        f"stranger-{t.tag}@unknown.example",
        f"{label}陌生人回复",
        f"passer-{t.tag}@unknown.example",
        mailbox.address,
        mailbox.display_name,
    ]


def add_service_reports(t, label: str, *, manager) -> None:
    """This month's report of the tenant's contract released and sent to its contact (with the emailed link's
    token), and a second version still a draft."""
    month = local_date().replace(day=1)

    def generated():
        report = reports.service_report_request(
            actor=manager, contract=t.contract, period_kind=PeriodKind.MONTH, period_start=month
        )
        return reports.service_report_generate(report_id=report.pk)

    released = reports.service_report_finalise(actor=manager, report=generated())
    released = reports.service_report_send(actor=manager, report=released)
    sent = Outbox.objects.get(key=f"service_report:{released.pk}:recipient:{t.contact.email}")
    t.report_token = urlsplit(sent.url).path.rstrip("/").rsplit("/", 1)[-1]
    draft = generated()
    t.service_reports = [released, draft]
    t.new_objects["service_report"] = t.service_reports
    t.new_secrets += [released.file_name("pdf"), released.file_name("xlsx"), draft.file_name("pdf")]


def finish_world(world, tenants) -> None:
    """What runs over every customer at once: the follow-up planner (then one follow-up of each tenant answered,
    and a survey link sent for the other), the QC sampler (then a review recorded), the webhook sweep (then the
    deliveries failed by disabling the subscription and enabling it again, so they may be retried)."""
    follow_ups_plan()
    qc_sample()
    events_sweep()
    for t in tenants:
        label = t.customer.name.removesuffix("档案馆")
        pending = FollowUp.objects.get(ticket=t.ticket_resolved)
        done = follow_up_record(
            actor=world.manager,
            follow_up=FollowUp.objects.get(ticket=t.ticket_closed),
            method="phone",
            scores={"score_overall": 5, "score_response_speed": 4, "score_professionalism": 5, "score_attitude": 5},
            comment=f"{label}回访意见",
        )
        t.survey_token = survey_link_send(
            actor=world.manager, follow_up=pending, send_to=str(t.contact.phone.national_number)
        )
        review = qc_review_record(
            actor=world.manager,
            review=QcReview.objects.get(ticket=t.ticket_closed),
            response_quality=4,
            service_quality=5,
            score=91,
            comment=f"{label}质检意见",
        )
        subscription_set_active(actor=world.staff, subscription=t.webhook, active=False)
        t.webhook = subscription_set_active(actor=world.staff, subscription=t.webhook, active=True)
        deliveries = list(WebhookDelivery.objects.filter(subscription=t.webhook).order_by("pk"))
        assert deliveries and all(delivery.status == "failed" for delivery in deliveries)
        t.new_objects |= {
            "follow_up": [pending, done],
            "qc_review": [review],
            "webhook_subscription": [t.webhook, t.webhook_off],
            "webhook_delivery": deliveries[:1],
            "engineer": [world.engineer],
        }
        t.new_secrets += [f"{label}回访意见", f"{label}质检意见"]
        t.owned["article"] = world.shared_article


def shared_article(*, engineer, source_ticket):
    """The one article both tenants' customers read: written from one tenant's solved ticket (its page links the
    ticket only for those who may open it), rewritten in general words, published and meant for customers."""
    article = article_from_ticket(actor=engineer, ticket=source_ticket)
    article = article_update(
        actor=engineer,
        article=article,
        version=article.version,
        title="共享知识：如何重启存储控制器",
        symptom=f"控制器无响应{PROBE}",
        cause="控制器固件缺陷。",
        solution="按手册顺序重启两个控制器。",
        visible_to_customers=True,
    )
    return article_publish(actor=engineer, article=article, version=article.version)


def telephone_system():
    """The call centre's telephone system; its token (shown once in the admin) is kept as `walk_token`."""
    token = token_new()
    system = TelephoneSystem.objects.create(name="走查总机", token_hash=token_hash(token), token_hint=token_hint(token))
    system.walk_token = token
    return system
