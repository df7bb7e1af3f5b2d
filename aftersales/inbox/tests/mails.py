"""Messages built with the email package, as Chinese mail clients send them."""

import email.policy
import email.utils
from email.message import EmailMessage

DEFAULT_SENDER = "张伟 <zhang.wei@customer.example.cn>"


def build(
    *,
    sender: str = DEFAULT_SENDER,
    to: str = "support0@service.example.com",
    subject: str = "服务器无法开机",
    text: str | None = "机房一台服务器电源指示灯不亮，请尽快处理。",
    html: str | None = None,
    message_id: str | None = "auto",
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    inline_images: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """A message as bytes. `attachments` and `inline_images` are (name or content-id, content type, bytes)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    if message_id == "auto":
        message["Message-ID"] = email.utils.make_msgid(domain="customer.example.cn")
    elif message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for content_id, content_type, data in inline_images:
        maintype, subtype = content_type.split("/")
        body = message.get_body(("html",)) or message
        body.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{content_id}>")
    for name, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def raw(headers: str, body: bytes) -> bytes:
    """A message written by hand: header lines (str, may hold raw 8-bit text) and a body in bytes."""
    return headers.replace("\n", "\r\n").encode("utf-8", "surrogateescape") + b"\r\n" + body
