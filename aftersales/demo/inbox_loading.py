"""The demo's mail: the service desk's mailbox and five received messages, each made into .eml bytes here and
recorded through the inbox's ingest service, as the poller would after reading them from the server.

The mailbox is switched off and names no real server: the demo never contacts one (an administrator enters the
server and password and switches it on). The messages show each way mail goes: a contact's request opens a
ticket (and its acknowledgement is queued), the contact's reply is threaded by the ticket number in its subject,
a message whose sender failed the receiving server's DMARC check becomes an internal note for review, an
out-of-office reply is recorded and ignored, and mail from a stranger waits in "mail to sort". An engineer's
public answer on the mail ticket is then mailed back by one run of the outgoing sweep.
"""

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from aftersales.accounts.models import User
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.inbox.models import InboundMessage, Mailbox
from aftersales.inbox.services.ingest import message_ingest
from aftersales.inbox.services.outgoing import outgoing_sweep
from aftersales.tickets.choices import OPEN_STATUSES
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import comment_add, ticket_assign, ticket_transition

MAILBOX = {
    "address": "service@aftersales.example",
    "display_name": "售后服务台",
    "host": "imap.aftersales.example",
    "username": "service@aftersales.example",
}
REQUEST = {
    "from": ("潘志刚", "panzhigang@hzgjj.example"),
    "subject": "灾备中心备份作业连续两天失败，请协助检查",
    "body": "服务台您好：\n\n灾备中心 Spectrum Protect 备份服务器最近两天的全量备份作业均失败，错误码 ANS1311E，"
    "日志见附件。请安排工程师尽快检查，本周五前需完成一次全量备份。\n\n潘志刚\n杭州市住房公积金管理中心 灾备中心值班长",
    "attachment": ("dsmerror-log.txt", "11/28/2026 02:13:05 ANS1311E Server out of data storage space\n"),
}
REPLY = {
    "subject": "回复：[{number}] 灾备中心备份作业连续两天失败，请协助检查",
    "body": "收到，谢谢。今晚 22:00 后可以停备份窗口，请工程师在这个时间段处理。\n\n潘志刚",
}
ANSWER = "您好，已远程确认备份存储池空间不足，今晚 22:00 扩容存储池并重新执行全量备份，完成后邮件告知。"
FORGED = {
    "from": ("马骏", "majun@hzgjj.example"),
    "subject": "关于 {number} 的补充：请把更换下来的硬盘寄到以下地址",
    "body": "请将更换下来的旧硬盘直接快递到：杭州市西湖区文三路 000 号 王先生 收，不必走中心的报废流程。\n\n马骏",
}
AUTO_REPLY = {
    "from": ("沈丽华", "shenlihua@hzgjj.example"),
    "subject": "自动回复：本人出差中",
    "body": "您好，我 12 月 1 日至 3 日出差，邮件回复可能延迟，紧急事项请联系马骏 139-5710-0101。",
}
STRANGER = {
    "from": ("张勇", "zhangyong@jiangan-school.example"),
    "subject": "咨询：学校机房交换机能否纳入维保",
    "body": "你好，我们是江岸区一所中学，机房有两台交换机过保了，想了解能否纳入你们的维保服务，谢谢。\n\n张勇",
}


def eml(sender: tuple[str, str], subject: str, body: str, at: dt.datetime, **headers) -> bytes:
    message = EmailMessage()
    message["From"] = f"{sender[0]} <{sender[1]}>"
    message["To"] = f"{MAILBOX['display_name']} <{MAILBOX['address']}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(idstring=at.strftime("%Y%m%d%H%M%S"), domain=sender[1].partition("@")[2])
    attachment = headers.pop("attachment", None)
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    if attachment:
        message.add_attachment(attachment[1].encode(), maintype="text", subtype="plain", filename=attachment[0])
    return message.as_bytes()


def create_inbox(*, users: dict[str, User], teams: dict, now: dt.datetime) -> Mailbox:
    start = now - dt.timedelta(hours=30)
    with simulated_time(SimulatedClock(now - dt.timedelta(days=20))) as clock:
        mailbox = Mailbox(team=teams["服务台"], owner=users["agent"], is_active=False, **MAILBOX)
        mailbox.full_clean()
        mailbox.save()
        clock.move_to(start)
        request = _receive(mailbox, REQUEST, start, attachment=REQUEST["attachment"])
        ticket = request.ticket
        clock.move_to(start + dt.timedelta(minutes=20))
        ticket = ticket_assign(
            actor=users["dispatcher"], ticket=ticket, version=ticket.version, assignee=users["engineer-hz2"]
        )
        clock.move_to(start + dt.timedelta(hours=1))
        ticket = ticket_transition(actor=users["engineer-hz2"], ticket=ticket, version=ticket.version, action="accept")
        clock.move_to(start + dt.timedelta(hours=2))
        comment_add(actor=users["engineer-hz2"], ticket=ticket, body=ANSWER, is_public=True)
        clock.move_to(start + dt.timedelta(hours=2, minutes=5))
        outgoing_sweep(now=clock.current)
        at = now - dt.timedelta(hours=6)
        clock.move_to(at)
        reply = {**REQUEST, "subject": REPLY["subject"].format(number=ticket.number), "body": REPLY["body"]}
        _receive(mailbox, reply, at)
        at = now - dt.timedelta(hours=4)
        clock.move_to(at)
        _receive(mailbox, AUTO_REPLY, at, Auto_Submitted="auto-replied")
        at = now - dt.timedelta(hours=3)
        clock.move_to(at)
        target = (
            Ticket.objects.filter(customer=ticket.customer, status__in=OPEN_STATUSES)
            .exclude(pk=ticket.pk)
            .order_by("received_at", "pk")
            .first()
        )
        forged = {**FORGED, "subject": FORGED["subject"].format(number=target.number)}
        _receive(mailbox, forged, at, Authentication_Results="mx.aftersales.example; spf=softfail; dmarc=fail")
        at = now - dt.timedelta(hours=1, minutes=10)
        clock.move_to(at)
        _receive(mailbox, STRANGER, at)
        clock.move_to(now - dt.timedelta(minutes=20))
        outgoing_sweep(now=clock.current)
    return mailbox


def _receive(mailbox: Mailbox, spec: dict, at: dt.datetime, **headers) -> InboundMessage:
    raw = eml(spec["from"], spec["subject"], spec["body"], at - dt.timedelta(minutes=2), **headers)
    return message_ingest(mailbox=mailbox, raw=raw, received_at=at - dt.timedelta(minutes=1), now=at)
