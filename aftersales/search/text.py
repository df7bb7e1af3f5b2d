"""How text becomes searchable: one normal form for what is indexed and for what is asked.

Both sides go through `normalise`: NFKC (full-width letters and digits become ASCII, compatibility
ideographs their usual form), Unicode case folding, and every run of white space one space. A field
never contains a line break after that, so fields are joined with one: no query word (words are split
on white space) can match across two fields.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

FIELD_SEPARATOR = "\n"
# Control characters count as white space: a NUL byte cannot even be sent to PostgreSQL.
WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
# A query word that looks like a phone number written with separators: 0571-8888 6666, (010)12345678.
PHONE_LIKE = re.compile(r"^\+?[\d\-().]+$")
PHONE_SEPARATORS = re.compile(r"[^\d]")
MIN_PHONE_DIGITS = 5
MAX_WORDS = 8
MAX_WORD_LENGTH = 100


def normalise(value) -> str:
    """One field as it is stored and matched: NFKC, case-folded, white space collapsed."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    # Folding can itself produce characters NFKC would change (rare), so normalise once more.
    text = unicodedata.normalize("NFKC", text)
    return WHITESPACE.sub(" ", text).strip()


def document(fields: Iterable) -> str:
    """The indexed text of an object: its normalised, non-empty fields, one per line."""
    return FIELD_SEPARATOR.join(part for part in (normalise(field) for field in fields) if part)


def grams(text: str) -> str:
    """Every distinct unigram and bigram of the words of `text`, space-separated, in a stable order.

    PostgreSQL indexes them (GIN over `string_to_array(grams, ' ')`) for one- and two-character
    queries, which trigrams cannot answer. Pairs are taken within a word only: a query word never
    contains white space, so a pair across a space (or across two fields) could never be asked for.
    """
    seen: dict[str, None] = {}
    for word in text.split():
        for index, character in enumerate(word):
            seen.setdefault(character)
            if index:
                seen.setdefault(word[index - 1 : index + 1])
    return " ".join(seen)


def phone_text(phone) -> str:
    """A phone number as people type it: E.164 (+8613800138000) and national digits (13800138000, 057188886666)."""
    if not phone:
        return ""
    number = phone
    if not isinstance(number, phonenumbers.PhoneNumber):
        try:
            number = phonenumbers.parse(str(phone), "CN")
        except phonenumbers.NumberParseException:
            return str(phone)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = PHONE_SEPARATORS.sub("", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return f"{e164} {national}"


@dataclass(frozen=True)
class Word:
    """One word of a query: it matches when any of its forms is a substring of one field."""

    forms: tuple[str, ...]

    @property
    def shortest(self) -> int:
        return min(len(form) for form in self.forms)


def query_words(query: str) -> list[Word]:
    """The words of a query, each with its forms (a phone number also as bare digits).

    A word contained in another word of the same query is dropped: whatever matches the longer one
    matches it too. At most MAX_WORDS words of at most MAX_WORD_LENGTH characters are kept.
    """
    texts = dict.fromkeys(word[:MAX_WORD_LENGTH] for word in normalise(query).split())
    words = [Word(_forms(text)) for text in texts]
    # A word inside every form of another word matches whenever that one does.
    kept = [
        word
        for word in words
        if not any(other is not word and all(word.forms[0] in form for form in other.forms) for other in words)
    ]
    return kept[:MAX_WORDS]


def _forms(text: str) -> tuple[str, ...]:
    digits = PHONE_SEPARATORS.sub("", text)
    if PHONE_LIKE.match(text) and digits != text and len(digits) >= MIN_PHONE_DIGITS:
        return (text, digits)
    return (text,)


def matches(text: str, words: list[Word]) -> bool:
    """The definition every engine must agree with: each word has a form inside one field of `text`."""
    fields = text.split(FIELD_SEPARATOR)
    return bool(words) and all(any(form in field for field in fields for form in word.forms) for word in words)
