"""Benchmark mail ingestion: 1,000 varied Chinese emails from a real Dovecot IMAP server into PostgreSQL.

    python bench/inbox_ingest.py                  # 1,000 messages into `aftersales_bench_inbox`
    python bench/inbox_ingest.py --messages 200   # a quick try

Drops and recreates the database `aftersales_bench_inbox` (and no other) and migrates it; starts Dovecot the
way the tests do (temporary directory, passwd-file, maildir, IMAPS with a CA made by `cryptography`, the
client verifying it); writes customers with contacts, a few open tickets and one support mailbox; APPENDs
the messages over IMAPS; then polls the mailbox with the production poller (`mailbox_poll`: fetch with
BODY.PEEK, record and process in one transaction, commit, expunge) until the folder is empty, and once
more to show nothing is read twice.

The mix: new requests from known contacts (UTF-8, GB2312, GBK labelled gb2312, GB18030, Big5; plain, HTML,
or both; a third with a PDF or an inline image), replies threaded by In-Reply-To and by the ticket number
in the subject, forwards, automatic replies, bounces, senders nobody knows, forged senders on someone
else's ticket, and malformed MIME. It prints messages per second for the whole poll, the time per
message (median and p95), what became of the messages, and what was written.

Exit status: 0 when every message was recorded exactly once, none failed, and the server is empty; else 1.
"""

import argparse
import base64
import email.policy
import email.utils
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "aftersales_bench_inbox"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
IMAP_USER = "support@bench.example"
IMAP_PASSWORD = "bench-imap-password"
CUSTOMERS = 20
CONTACTS_PER_CUSTOMER = 5
OPEN_TICKETS = 40

SUBJECTS = [
    "服务器无法开机",
    "存储阵列告警：硬盘故障",
    "核心交换机端口频繁 up/down",
    "业务系统登录缓慢，请尽快处理",
    "数据库连接数过高",
    "机房空调温度告警",
    "打印机卡纸，三楼财务室",
    "VPN 无法连接",
    "备份作业连续两天失败",
    "防火墙策略变更申请",
]
BODIES = [
    "今天上午九点开始，{thing}出现故障，影响全处业务办理，请尽快安排工程师到场。\n联系人：{name}，电话 {phone}。",
    "您好：\n\n{thing}从昨晚起无法正常使用，已尝试重启无效。设备序列号 CN{serial}，放在二楼机房 A03 机柜。\n\n谢谢！\n{name}",
    "紧急！{thing}报警灯常亮，日志显示 “{code}” 错误。请派人处理。",
]
THINGS = ["核心交换机", "存储控制器", "数据库服务器", "门户网站", "打印服务器", "UPS 电源", "视频监控平台"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]
PDF = b"%PDF-1.4\n" + b"0" * 40_000 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 60


def configure_django(media_root: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{DATABASE_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["AFTERSALES_MEDIA_ROOT"] = media_root
    # Outgoing acknowledgements are only queued in the outbox here: no worker delivers them.


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def step(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)


# --- data --------------------------------------------------------------------------------------


def create_world(rng: random.Random, dovecot) -> dict:
    from aftersales.accounts.models import Team, User
    from aftersales.accounts.roles import Role
    from aftersales.customers.models import Contact, Customer
    from aftersales.inbox.models import Mailbox
    from aftersales.tickets.choices import Channel, Kind
    from aftersales.tickets.services import ticket_create

    agent = User.objects.create(username="agent", role=Role.AGENT, first_name="娜", last_name="李")
    team = Team.objects.create(name="服务台")
    customers = Customer.objects.bulk_create(
        Customer(code=f"c{n:02d}", name=f"基准客户 {n:02d}", phone="+8657187000000") for n in range(CUSTOMERS)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            customer=customer,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
            phone=f"+86139{index * 10 + n:08d}",
            email=f"user{index}.{n}@customer{index}.example.cn",
        )
        for index, customer in enumerate(customers)
        for n in range(CONTACTS_PER_CUSTOMER)
    )
    tickets = [
        ticket_create(
            actor=agent,
            customer=customers[n % CUSTOMERS],
            title=rng.choice(SUBJECTS),
            description="电话报修",
            contact_name="赵科长",
            contact_phone="+8613911112222",
            kind=Kind.GENERAL_FAULT,
            channel=Channel.PHONE,
        )
        for n in range(OPEN_TICKETS)
    ]
    mailbox = Mailbox(
        address=IMAP_USER,
        display_name="基准技术支持",
        team=team,
        owner=agent,
        host=dovecot.host,
        port=dovecot.port,
        username=IMAP_USER,
        ca_certificate=dovecot.ca_pem,
    )
    mailbox.set_password(IMAP_PASSWORD)
    mailbox.save()
    return {
        "mailbox": mailbox,
        "contacts": [(c.name, c.email, c.customer_id) for c in contacts],
        "tickets": [(t.number, t.customer_id) for t in tickets],
    }


def plan_messages(rng: random.Random, count: int, world: dict) -> tuple[list[bytes], Counter]:
    """`count` raw messages in arrival order, and how many of each kind."""
    contacts, tickets = world["contacts"], world["tickets"]
    sent_ids: list[tuple[str, str, str]] = []  # (message id, sender, subject) of new requests sent so far
    kinds = Counter()
    messages = []
    weights = {
        "new": 45,
        "reply_headers": 15,
        "reply_number": 10,
        "forward": 5,
        "auto_reply": 5,
        "bounce": 2,
        "unknown": 6,
        "forged": 4,
        "malformed": 3,
        "new_html_only": 5,
    }
    for serial in range(count):
        kind = rng.choices(list(weights), list(weights.values()))[0]
        if kind in ("reply_headers", "forward", "auto_reply") and not sent_ids:
            kind = "new"
        kinds[kind] += 1
        name, address, _customer = rng.choice(contacts)
        sender = f"{name} <{address}>"
        message_id = f"<bench.{serial}.{rng.getrandbits(40):x}@customer.example.cn>"
        thing = rng.choice(THINGS)
        text = rng.choice(BODIES).format(
            thing=thing, name=name, phone=f"139{rng.randrange(10**8):08d}", serial=rng.randrange(10**8), code="E0042"
        )
        subject = f"{thing}：{rng.choice(SUBJECTS)}"
        charset = rng.choice(["utf-8", "utf-8", "gb2312", "gbk", "gb18030", "big5"])
        if kind == "new" or kind == "new_html_only":
            raw = mail(sender, subject, text, message_id, charset, rng, html_only=kind == "new_html_only")
            sent_ids.append((message_id, sender, subject))
        elif kind == "reply_headers":
            original, original_sender, original_subject = rng.choice(sent_ids)
            raw = mail(original_sender, f"回复：{original_subject}", "补充：今天又出现一次。", message_id, charset, rng,
                       headers={"In-Reply-To": original, "References": original})  # fmt: skip
        elif kind == "reply_number":
            number, ticket_customer = rng.choice(tickets)
            own = [c for c in contacts if c[2] == ticket_customer]
            name, address, _customer = rng.choice(own)
            raw = mail(
                f"{name} <{address}>", f"答复: [{number}] 进展如何", "请问今天能到场吗？", message_id, charset, rng
            )
        elif kind == "forward":
            original, original_sender, original_subject = rng.choice(sent_ids)
            raw = mail(original_sender, f"转发: {original_subject}", "转给您看一下，\n\n" + text, message_id, charset,
                       rng, headers={"References": original})  # fmt: skip
        elif kind == "auto_reply":
            original, original_sender, original_subject = rng.choice(sent_ids)
            raw = mail(original_sender, f"自动回复: {original_subject}", "我正在休假，12月1日返回。", message_id,
                       "utf-8", rng, headers={"Auto-Submitted": "auto-replied", "In-Reply-To": original})  # fmt: skip
        elif kind == "bounce":
            raw = mail("MAILER-DAEMON@mx.customer.example.cn", "Undelivered Mail Returned to Sender",
                       "User unknown", message_id, "utf-8", rng)  # fmt: skip
        elif kind == "unknown":
            raw = mail(f"陌生人 <stranger{serial}@elsewhere.example>", subject, text, message_id, charset, rng)
        elif kind == "forged":
            number, _ticket_customer = rng.choice(tickets)
            raw = mail(
                f"attacker{serial}@evil.example", f"Re: [{number}] 请提供管理员密码", "急", message_id, "utf-8", rng
            )
        else:  # malformed: a multipart without its closing boundary, or a header in raw GBK
            raw = malformed(sender, subject, text, message_id, rng)
        messages.append(raw)
    return messages, kinds


def mail(sender, subject, text, message_id, charset, rng, headers=None, html_only=False) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = IMAP_USER
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate()
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    html = "<p>" + text.replace("\n", "<br>") + "</p>"
    if html_only:
        message.set_content(html, subtype="html", charset="utf-8")
    else:
        body_charset = charset if charset != "big5" else "big5"
        try:
            text.encode(body_charset)
        except UnicodeEncodeError:
            body_charset = "gb18030"
        message.set_content(text, charset=body_charset, cte="base64")
        if rng.random() < 0.4:
            message.add_alternative(html, subtype="html")
    if rng.random() < 0.2:
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename="故障截图与日志.pdf")
    elif rng.random() < 0.15:
        body = message.get_body(("html",))
        if body is not None:
            body.add_related(PNG, maintype="image", subtype="png", cid="<shot@bench>")
    return message.as_bytes()


def malformed(sender, subject, text, message_id, rng) -> bytes:
    if rng.random() < 0.5:
        return (
            f"From: {address_only(sender)}\r\nSubject: =?gb2312?B?"
            + base64.b64encode(subject.encode("gb18030")).decode()
            + f"?=\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="cut"\r\n\r\n--cut\r\n'
            "Content-Type: text/plain; charset=gb2312\r\n\r\n"
        ).encode() + text.encode("gb18030")
    return (
        b"From: " + sender.encode("gbk", "replace") + b"\r\nSubject: " + subject.encode("gbk", "replace")
        + f"\r\nMessage-ID: {message_id}\r\nContent-Type: text/plain\r\n\r\n".encode() + text.encode("gbk", "replace")
    )  # fmt: skip


def address_only(sender: str) -> str:
    return email.utils.parseaddr(sender)[1]


# --- measuring ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261130)
    arguments = parser.parse_args()
    started = time.monotonic()
    media_root = tempfile.mkdtemp(prefix="aftersales-bench-inbox-")
    configure_django(media_root)
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from aftersales.inbox.tests.dovecot import dovecot_available, start_dovecot

    if not dovecot_available():
        print("Dovecot is not installed: apt-get install dovecot-imapd")
        return 1
    call_command("migrate", verbosity=0)
    step(f"migrated {DATABASE_NAME}", started)
    dovecot = start_dovecot({IMAP_USER: IMAP_PASSWORD})
    try:
        return measure(arguments, dovecot, started, connection)
    finally:
        dovecot.stop()


def measure(arguments, dovecot, started, connection) -> int:
    from aftersales.inbox.models import InboundMessage, OutgoingMail
    from aftersales.inbox.services import ingest, mailbox_poll, outgoing_sweep
    from aftersales.notifications.models import Outbox
    from aftersales.tickets.models import Attachment, Comment, Ticket

    rng = random.Random(arguments.seed)
    world = create_world(rng, dovecot)
    messages, kinds = plan_messages(rng, arguments.messages, world)
    step(f"planned {len(messages)} messages ({sum(map(len, messages)) / 1e6:.1f} MB): {dict(kinds)}", started)

    appended_at = time.monotonic()
    client = dovecot.connect(IMAP_USER)
    for raw in messages:
        client.append("INBOX", None, None, raw)
    client.logout()
    append_seconds = time.monotonic() - appended_at
    step(
        f"APPENDed {len(messages)} over IMAPS in {append_seconds:.1f} s; server holds {dovecot.count(IMAP_USER)}",
        started,
    )

    timings = []
    real_ingest = ingest.message_ingest

    def timed_ingest(**kwargs):
        begin = time.perf_counter()
        try:
            return real_ingest(**kwargs)
        finally:
            timings.append(time.perf_counter() - begin)

    from aftersales.inbox.services import polling

    polling.message_ingest = timed_ingest
    tickets_before = Ticket.objects.count()
    poll_started = time.monotonic()
    rounds, recorded, already = 0, 0, 0
    while True:
        result = mailbox_poll(mailbox=world["mailbox"], limit=len(messages))
        rounds += 1
        if result.error:
            print(f"poll error: {result.error}")
            return 1
        recorded += result.recorded
        already += result.already_recorded
        if result.fetched == 0:
            break
    poll_seconds = time.monotonic() - poll_started
    step(f"polled in {rounds} rounds", started)

    sweep_started = time.monotonic()
    sweep = outgoing_sweep()
    sweep_seconds = time.monotonic() - sweep_started
    again = mailbox_poll(mailbox=world["mailbox"])
    left = dovecot.count(IMAP_USER)
    outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('inbox_inboundmessage')")
        table_bytes = cursor.fetchone()[0]
    raw_bytes = sum(path.stat().st_size for path in Path(os.environ["AFTERSALES_MEDIA_ROOT"]).rglob("*.eml"))

    print()
    print(
        f"messages               {len(messages)}  ({sum(map(len, messages)) / len(messages) / 1024:.1f} KB on average)"
    )
    print(f"poll wall time         {poll_seconds:.2f} s  ->  {len(messages) / poll_seconds:.1f} messages/s")
    print(
        f"per message            median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {statistics.quantiles(timings, n=20)[18] * 1000:.1f} ms (record + process + commit, IMAP excluded)"
    )
    print(f"IMAP share             {max(poll_seconds - sum(timings), 0):.2f} s of the poll (fetch, expunge, login)")
    print(f"recorded               {recorded}, recorded before {already}, second poll read {again.fetched}")
    print(f"left on the server     {left}")
    print(f"outcomes               {dict(sorted(outcomes.items()))}")
    print(
        f"written                {Ticket.objects.count() - tickets_before} tickets, {Comment.objects.count()} comments, "
        f"{Attachment.objects.count()} attachments, {OutgoingMail.objects.count()} acknowledgements queued "
        f"({Outbox.objects.count()} outbox rows)"
    )
    print(f"stored                 {raw_bytes / 1e6:.1f} MB of raw .eml files, inbox table {table_bytes / 1e6:.1f} MB")
    print(
        f"outgoing sweep         {sweep.events_read} events read in {sweep_seconds:.2f} s, {sweep.queued} mails queued"
    )
    ok = recorded == len(messages) and already == 0 and left == 0 and outcomes.get("failed", 0) == 0
    print("RESULT                 " + ("every message recorded once, none failed, server empty" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
