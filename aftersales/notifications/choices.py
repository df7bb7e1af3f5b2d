from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    """How a message reaches people; the SLA ladders name these."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")
    FEISHU = "feishu", _("Feishu group robot")
    IN_APP = "in_app", _("In-app notification")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BUNDLED = "bundled", _("Bundled into a digest")


class ConfigKind(models.TextChoices):
    """A configured way to deliver one channel: which SMTP server, SMS provider or group robot."""

    EMAIL = "email", _("Email (SMTP server)")
    SMS_ALIYUN = "sms_aliyun", _("SMS through Alibaba Cloud")
    SMS_TENCENT = "sms_tencent", _("SMS through Tencent Cloud")
    SMS_HTTP = "sms_http", _("SMS through an HTTP gateway")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")
    FEISHU = "feishu", _("Feishu group robot")


# The configurations that can carry each channel; in-app needs none, email falls back to MAILERS["default"].
CONFIG_KINDS_FOR_CHANNEL: dict[str, tuple[str, ...]] = {
    ChannelKind.EMAIL: (ConfigKind.EMAIL,),
    ChannelKind.SMS: (ConfigKind.SMS_ALIYUN, ConfigKind.SMS_TENCENT, ConfigKind.SMS_HTTP),
    ChannelKind.DINGTALK: (ConfigKind.DINGTALK,),
    ChannelKind.WECOM: (ConfigKind.WECOM,),
    ChannelKind.FEISHU: (ConfigKind.FEISHU,),
    ChannelKind.IN_APP: (),
}
CHANNEL_OF_CONFIG_KIND = {kind: channel for channel, kinds in CONFIG_KINDS_FOR_CHANNEL.items() for kind in kinds}


class Language(models.TextChoices):
    """The languages messages are written in (settings.LANGUAGES)."""

    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")
