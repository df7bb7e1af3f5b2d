"""What each kind of channel configuration takes in its JSON settings, and the checks behind `clean()`."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

from aftersales.notifications.choices import ConfigKind

SETTINGS_HELP = _(
    "Non-secret settings as a JSON object. Email: host, port, use_tls, use_ssl, username, from_email, timeout. "
    "Alibaba Cloud SMS: access_key_id, sign_name, template_code, template_param, region, endpoint. "
    "Tencent Cloud SMS: access_key_id, sdk_app_id, sign_name, template_id, region, endpoint. "
    "HTTP gateway: endpoint. Robots: webhook_url. Passwords and keys go in the secret field, never here."
)


@dataclass(frozen=True)
class Setting:
    name: str
    type: str = "text"  # text, url, port, seconds, bool, email
    required: bool = False
    default: object = None


SCHEMAS: dict[str, tuple[Setting, ...]] = {
    ConfigKind.EMAIL: (
        Setting("host", required=True),
        Setting("port", "port"),
        Setting("use_tls", "bool", default=False),
        Setting("use_ssl", "bool", default=False),
        Setting("username"),
        Setting("from_email", "email"),
        Setting("timeout", "seconds", default=10),
    ),
    ConfigKind.SMS_ALIYUN: (
        Setting("access_key_id", required=True),
        Setting("sign_name", required=True),
        Setting("template_code", required=True),
        Setting("template_param", default="content"),  # the template variable that receives the text
        Setting("region", default="cn-hangzhou"),
        Setting("endpoint", "url", default="https://dysmsapi.aliyuncs.com/"),
    ),
    ConfigKind.SMS_TENCENT: (
        Setting("access_key_id", required=True),  # Tencent calls it SecretId
        Setting("sdk_app_id", required=True),
        Setting("sign_name", required=True),
        Setting("template_id", required=True),
        Setting("region", default="ap-guangzhou"),
        Setting("endpoint", "url", default="https://sms.tencentcloudapi.com/"),
    ),
    ConfigKind.SMS_HTTP: (Setting("endpoint", "url", required=True),),
    ConfigKind.DINGTALK: (Setting("webhook_url", "url", required=True),),
    ConfigKind.WECOM: (Setting("webhook_url", "url", required=True),),
    ConfigKind.FEISHU: (Setting("webhook_url", "url", required=True),),
}

# What the secret is for each kind, for messages; a kind missing here takes no secret.
SECRET_NAMES = {
    ConfigKind.EMAIL: _("SMTP password"),
    ConfigKind.SMS_ALIYUN: _("AccessKey secret"),
    ConfigKind.SMS_TENCENT: _("SecretKey"),
    ConfigKind.SMS_HTTP: _("HMAC signing key"),
    ConfigKind.DINGTALK: _("signing secret (SEC…)"),
    ConfigKind.FEISHU: _("signing secret"),
}
SECRET_REQUIRED = {ConfigKind.SMS_ALIYUN, ConfigKind.SMS_TENCENT, ConfigKind.SMS_HTTP}

# A robot's webhook address carries its token; a pasted address without it would fail at the first alarm.
WEBHOOK_TOKENS = {
    ConfigKind.DINGTALK: (
        "access_token",
        _(
            "A DingTalk webhook address carries its access_token, e.g. https://oapi.dingtalk.com/robot/send?access_token=…"
        ),
    ),
    ConfigKind.WECOM: (
        "key",
        _("A WeCom webhook address carries its key, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
    ),
}


def default_for(kind: str, name: str):
    return next((setting.default for setting in SCHEMAS.get(kind, ()) if setting.name == name), None)


def validate_config(kind: str, values, *, has_secret: bool) -> None:
    """Raise ValidationError (keyed by "settings" and "secret") when the settings do not suit the kind."""
    if kind not in SCHEMAS:
        raise ValidationError({"kind": _("Choose a kind of channel.")})
    if not isinstance(values, dict):
        raise ValidationError({"settings": _('Settings must be a JSON object, such as {"host": "smtp.example.com"}.')})
    errors = []
    known = {setting.name for setting in SCHEMAS[kind]}
    for name in sorted(set(values) - known):
        errors.append(
            _("Unknown setting “%(name)s”; this kind takes: %(names)s.")
            % {"name": name, "names": ", ".join(sorted(known))}
        )
    for setting in SCHEMAS[kind]:
        value = values.get(setting.name)
        if value in (None, ""):
            if setting.required:
                errors.append(_("Give the setting “%(name)s”.") % {"name": setting.name})
            continue
        if message := _check(setting, value):
            errors.append(message)
    if kind == ConfigKind.EMAIL and values.get("use_tls") is True and values.get("use_ssl") is True:
        errors.append(_("Use either TLS (use_tls) or SSL (use_ssl), not both."))
    if kind in WEBHOOK_TOKENS and isinstance(url := values.get("webhook_url"), str) and url:
        token, message = WEBHOOK_TOKENS[kind]
        if not parse_qs(urlsplit(url).query).get(token):
            errors.append(message)
    error_dict = {"settings": errors} if errors else {}
    if kind in SECRET_REQUIRED and not has_secret:
        error_dict["secret"] = [_("Enter the %(secret)s.") % {"secret": SECRET_NAMES[kind]}]
    if kind not in SECRET_NAMES and has_secret:
        error_dict["secret"] = [_("This kind of channel takes no secret; its key is part of the webhook address.")]
    if error_dict:
        raise ValidationError(error_dict)


def _check(setting: Setting, value):
    name = setting.name
    if setting.type in ("text", "url", "email") and not isinstance(value, str):
        return _("The setting “%(name)s” must be text.") % {"name": name}
    if setting.type == "url":
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            return _("The setting “%(name)s” must be a web address starting with http:// or https://.") % {"name": name}
    if setting.type == "email":
        try:
            validate_email(value)
        except ValidationError:
            return _("The setting “%(name)s” must be an email address.") % {"name": name}
    if setting.type == "bool" and not isinstance(value, bool):
        return _("The setting “%(name)s” must be true or false.") % {"name": name}
    if setting.type in ("port", "seconds"):
        low, high = (1, 65535) if setting.type == "port" else (1, 300)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return _("The setting “%(name)s” must be a whole number from %(low)s to %(high)s.") % {
                "name": name,
                "low": low,
                "high": high,
            }
    return None
