"""Mail written to break the inbox: charsets that are no text encodings, reused Message-IDs, forged Reply-To,
ids with Unicode line breaks, a fax gateway's mail with one bad scan among good ones."""

import pytest

from aftersales.inbox.choices import Outcome
from aftersales.inbox.mime import message_key, parse_message
from aftersales.inbox.models import InboundMessage
from aftersales.inbox.services import message_ingest
from aftersales.inbox.tests.mails import raw

pytestmark = pytest.mark.django_db

# Labels a sender can write that Python knows but that do not decode bytes into text (or cannot replace).
HOSTILE_CHARSETS = ["undefined", "base64", "rot13", "quopri", "idna", "utf-8\x00"]


def encoded_word(charset: str, text: str = "YQ==") -> str:
    return f"=?{charset}?B?{text}?="


@pytest.mark.parametrize("charset", HOSTILE_CHARSETS)
def test_a_charset_that_is_no_text_encoding_is_read_as_utf8_in_headers_and_body(charset):
    message = raw(
        f"From: zhang.wei@customer.example.cn\nSubject: {encoded_word(charset, '5pyN5Yqh5Zmo')}\n"
        f'Message-ID: <plain@customer.example.cn>\nContent-Type: text/plain; charset="{charset}"\n',
        "服务器宕机".encode(),
    )

    mail = parse_message(message)

    assert (mail.subject, mail.text) == ("服务器", "服务器宕机")


@pytest.mark.parametrize("charset", HOSTILE_CHARSETS)
def test_a_message_id_no_decoder_survives_is_keyed_by_its_bytes_and_recorded(mailbox, charset):
    message = raw(f"From: stranger@elsewhere.example\nSubject: x\nMessage-ID: <{encoded_word(charset)}@x>\n", b"text")

    inbound = message_ingest(mailbox=mailbox, raw=message)

    assert inbound is not None and InboundMessage.objects.get().key == message_key(message)[0]
    assert (inbound.message_id, inbound.outcome) == ("a@x", Outcome.TO_SORT)
    assert message_ingest(mailbox=mailbox, raw=message) is None  # read again after a crash: dropped, not doubled
