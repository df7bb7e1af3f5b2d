"""Email through the SMTP server of a channel configuration, or through MAILERS["default"] when none is set."""

import email.policy
import smtplib
from email.headerregistry import HeaderRegistry, UnstructuredHeader

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.handler import DEFAULT_MAILER_ALIAS

from aftersales.notifications.channels.base import DeliveryError


class MessageIdsHeader(UnstructuredHeader):
    """In-Reply-To and References folded between their ids only. Python's email encodes an unstructured header
    it cannot fold (one id longer than a line, as Outlook's are) as an RFC 2047 encoded-word, and the
    recipient's client then no longer finds the ids to thread the mail."""

    def fold(self, *, policy):
        first = line = f"{self.name}:"
        lines = []
        for message_id in str(self).split():
            if line != first and len(line) + 1 + len(message_id) > policy.max_line_length:
                lines.append(line)
                line = ""
            line = f"{line} {message_id}"
        lines.append(line)
        return policy.linesep.join(lines) + policy.linesep


THREAD_HEADERS = HeaderRegistry()
THREAD_HEADERS.map_to_type("in-reply-to", MessageIdsHeader)
THREAD_HEADERS.map_to_type("references", MessageIdsHeader)


class ThreadedEmailMessage(EmailMessage):
    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(header_factory=THREAD_HEADERS))


def message_for(row, from_email: str) -> EmailMessage:
    body = f"{row.body}\n\n{row.url}" if row.url else row.body
    # Headers (Message-ID, In-Reply-To, References, From, Reply-To) thread the mail in the recipient's client;
    # the envelope sender stays the configured address.
    return ThreadedEmailMessage(
        subject=row.subject, body=body, from_email=from_email, to=[row.recipient], headers=dict(row.headers or {})
    )


def send(config, row) -> str:
    if not row.recipient:
        raise DeliveryError("An email needs a recipient address.")
    if config is None:
        try:
            message_for(row, settings.DEFAULT_FROM_EMAIL).send(using=DEFAULT_MAILER_ALIAS)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"The default mailer failed: {error}") from error
        return f"Handed to the mailer {DEFAULT_MAILER_ALIAS!r}."
    backend = SmtpBackend(
        alias=f"notifications-{config.pk}",  # built from the database, not from MAILERS: the alias only names it
        host=config.setting("host"),
        port=config.setting("port"),
        username=config.setting("username") or None,
        password=config.secret() or None,
        use_tls=config.setting("use_tls"),
        use_ssl=config.setting("use_ssl"),
        timeout=config.setting("timeout"),
    )
    try:
        backend.send_messages([message_for(row, config.setting("from_email") or settings.DEFAULT_FROM_EMAIL)])
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(f"{backend.host}:{backend.port} answered {error.smtp_code} {error.smtp_error!r}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{backend.host}:{backend.port}: {error}") from error
    return f"Accepted by {backend.host}:{backend.port}."
