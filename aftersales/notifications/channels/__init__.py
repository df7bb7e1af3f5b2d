"""Channels: one module per way of delivering, each with `send(config, outbox_row) -> provider's answer`.

A module raises DeliveryError with the provider's message when the message did not go out; an answer
of HTTP 200 that carries an error code in its JSON is such a failure too.
"""

from aftersales.core.crypto import DecryptionError
from aftersales.notifications.channels import (
    dingtalk,
    feishu,
    in_app,
    mail,
    sms_aliyun,
    sms_http,
    sms_tencent,
    wecom,
)
from aftersales.notifications.channels.base import DeliveryError
from aftersales.notifications.choices import CONFIG_KINDS_FOR_CHANNEL, ChannelKind, ConfigKind
from aftersales.notifications.models import ChannelConfig

__all__ = ["DeliveryError", "Router", "send_with_config"]

SENDERS = {
    ConfigKind.EMAIL: mail.send,
    ConfigKind.SMS_ALIYUN: sms_aliyun.send,
    ConfigKind.SMS_TENCENT: sms_tencent.send,
    ConfigKind.SMS_HTTP: sms_http.send,
    ConfigKind.DINGTALK: dingtalk.send,
    ConfigKind.WECOM: wecom.send,
    ConfigKind.FEISHU: feishu.send,
}
ROBOTS = {ConfigKind.DINGTALK, ConfigKind.WECOM, ConfigKind.FEISHU}


def send_with_config(config: ChannelConfig | None, row) -> str:
    """Send one outbox row (saved or not) through `config`; None means in-app, or email by MAILERS["default"]."""
    try:
        if config is None:
            if row.channel == ChannelKind.IN_APP:
                return in_app.send(None, row)
            if row.channel == ChannelKind.EMAIL:
                return mail.send(None, row)
            raise DeliveryError(f"No enabled channel configuration delivers {row.channel!r} messages.")
        if config.kind in ROBOTS:
            return SENDERS[config.kind](config, row, mention_phones=mention_phones(row))
        return SENDERS[config.kind](config, row)
    except DecryptionError as error:
        raise DeliveryError(f"The secret of {config} cannot be decrypted: was the encryption key changed?") from error


def mention_phones(row) -> list[str]:
    """Who a robot message is about, as national numbers for @-mentions (its user's phone, if known)."""
    user = row.user if row.user_id else None
    phone = getattr(user, "phone", None)
    if not phone:
        return []
    return [str(phone.national_number) if phone.country_code == 86 else str(phone.as_e164).lstrip("+")]


class Router:
    """The configuration for each channel, read once per delivery run: the oldest enabled one."""

    def __init__(self):
        self.by_channel: dict[str, ChannelConfig] = {}
        kinds = [kind for kinds in CONFIG_KINDS_FOR_CHANNEL.values() for kind in kinds]
        for config in ChannelConfig.objects.filter(enabled=True, kind__in=kinds).order_by("pk"):
            self.by_channel.setdefault(config.channel, config)

    def config_for(self, channel: str) -> ChannelConfig | None:
        return self.by_channel.get(channel)

    def send(self, row) -> str:
        return send_with_config(self.config_for(row.channel), row)
