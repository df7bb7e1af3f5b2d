"""Phone and fax numbers as the telephone system, a fax header or a form gives them, in one comparable form."""

import phonenumbers
from phonenumber_field.phonenumber import to_python

REGION = "CN"


def normalise(raw: str | None) -> str:
    """The number in E.164 (+861062908622), or "" when it is not a valid number (anonymous, internal, garbage).

    Contacts, customers and tickets store their numbers in E.164, so the result compares with them exactly.
    """
    text = (raw or "").strip()[:50]
    if not text:
        return ""
    number = to_python(text, region=REGION)
    if number is None or not number.is_valid():
        return ""
    return number.as_e164


def display(e164: str) -> str:
    """A normalised number as people in China write it (010 6290 8622, 139 1234 5678)."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    if phonenumbers.region_code_for_number(number) == REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
