"""WeCom (企业微信) group robot: the key is in the webhook address; a markdown message."""

from aftersales.notifications.channels.base import DeliveryError, markdown_text, post_json


def send(config, row, *, mention_phones: list[str] = ()) -> str:
    # WeCom's markdown messages cannot @-mention by phone (only text messages can), so no mentions here.
    payload = {"msgtype": "markdown", "markdown": {"content": markdown_text(row)}}
    _body, answer, raw = post_json(config.setting("webhook_url"), payload)
    if answer.get("errcode") != 0:
        raise DeliveryError(f"WeCom errcode {answer.get('errcode')}: {answer.get('errmsg', raw)}")
    return raw
