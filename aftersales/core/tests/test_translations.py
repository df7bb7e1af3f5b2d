"""The translation catalogues: complete, compiled, and used by the pages.

The UI speaks Simplified Chinese by default (LANGUAGE_CODE "zh-hans") and English on request.
After adding or changing a user-facing string, run `make messages` (makemessages + compilemessages),
translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po, compile again and commit both files.
"""

import gettext as gnu_gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from aftersales.tickets.choices import Priority, Status

LOCALE = Path(settings.LOCALE_PATHS[0])
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
CATALOGUES = {
    "zh_Hans": LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po",
    "en": LOCALE / "en" / "LC_MESSAGES" / "django.po",
}
HAN = re.compile(r"[\u4e00-\u9fff]")
# Labels that read the same in Chinese (acronyms); everything else must contain Chinese characters.
SAME_IN_CHINESE = {"API"}
# Models no person sees (not in the admin, the pages or the API); their names are not wrapped for translation.
INTERNAL_MODELS = {"tickets.TicketSequence", "intake.FaxSequence"}
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) is not installed")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0
    obsolete: bool = False


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for the files makemessages writes (polib is not a dependency)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def start(lineno: int) -> Entry:
        nonlocal entry
        if entry is None or entry.msgid or entry.msgstr:
            entry = Entry(line=lineno)
            entries.append(entry)
        return entry

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            start(lineno).obsolete = True
            continue
        if line.startswith("#,"):
            start(lineno).flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if keyword:
            current = start(lineno) if keyword.group(1) in ("msgctxt", "msgid") and entry is None else entry
            name, index, value = keyword.group(1), keyword.group(2), _unquote(keyword.group(3))
            if name == "msgctxt":
                current.msgctxt = value
            elif name == "msgid":
                current.msgid = value
            elif name == "msgid_plural":
                current.msgid_plural = value
            else:
                current.msgstr[int(index or 0)] = value
            target = (name, int(index or 0))
        elif line.startswith('"') and entry is not None and target is not None:
            name, index = target
            value = _unquote(line)
            if name == "msgctxt":
                entry.msgctxt += value
            elif name == "msgid":
                entry.msgid += value
            elif name == "msgid_plural":
                entry.msgid_plural += value
            else:
                entry.msgstr[index] += value
        else:
            raise AssertionError(f"{path}:{lineno}: cannot read {raw!r}")
    return [e for e in entries if not e.obsolete]


def header(entries: list[Entry]) -> dict[str, str]:
    first = entries[0]
    assert first.msgid == "", "the catalogue must start with its header entry"
    return dict(line.split(": ", 1) for line in first.msgstr[0].splitlines() if ": " in line)


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sdif]", text))


@pytest.fixture(scope="module")
def zh_entries() -> list[Entry]:
    return parse_po(ZH_PO)


def test_the_catalogues_exist_with_their_compiled_files():
    for language, po in CATALOGUES.items():
        assert po.is_file(), f"{po} is missing: run `make messages`"
        assert po.with_suffix(".mo").is_file(), f"{po.with_suffix('.mo')} is missing: run compilemessages"
        assert header(parse_po(po))["Language"] == language


def test_the_chinese_header_declares_language_and_a_single_plural_form(zh_entries):
    fields = header(zh_entries)
    assert fields["Language"] == "zh_Hans"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in fields["Content-Type"]
    assert "fuzzy" not in zh_entries[0].flags


def test_every_chinese_message_is_translated_and_not_fuzzy(zh_entries):
    messages = zh_entries[1:]
    assert len(messages) > 300, "the catalogue looks truncated"
    untranslated = [e.msgid for e in messages if not e.msgstr or not all(s.strip() for s in e.msgstr.values())]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {ZH_PO}: {untranslated}"
    assert not fuzzy, f"fuzzy (check and remove the flag) in {ZH_PO}: {fuzzy}"


def test_plural_messages_have_exactly_one_chinese_form(zh_entries):
    plurals = [e for e in zh_entries[1:] if e.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert set(entry.msgstr) == {0}, f"{entry.msgid!r} needs exactly msgstr[0] (nplurals=1)"


def test_translations_keep_every_placeholder(zh_entries):
    for entry in zh_entries[1:]:
        expected = placeholders(entry.msgid_plural or entry.msgid)
        for translated in entry.msgstr.values():
            assert placeholders(translated) == expected, f"{ZH_PO}:{entry.line} {entry.msgid!r} -> {translated!r}"


def test_translations_of_ui_text_are_chinese(zh_entries):
    for entry in zh_entries[1:]:
        words = re.sub(r"%\([a-z_]+\)\S*?[sdif]", "", entry.msgid)
        if entry.msgid in SAME_IN_CHINESE or not re.search(r"[A-Za-z]", words):
            continue
        assert HAN.search(entry.msgstr[0]), f"{ZH_PO}:{entry.line} {entry.msgid!r} has no Chinese translation"


@needs_msgfmt
@pytest.mark.parametrize("language", CATALOGUES)
def test_msgfmt_accepts_the_catalogue(language):
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(CATALOGUES[language])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if language == "zh_Hans":
        assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def _catalogue(mo: Path) -> tuple[dict, dict]:
    with mo.open("rb") as handle:
        translations = gnu_gettext.GNUTranslations(handle)
    catalogue = dict(translations._catalog)
    catalogue.pop("", None)  # the header carries dates that msgfmt does not change
    return catalogue, translations.info()


@needs_msgfmt
@pytest.mark.parametrize("language", CATALOGUES)
def test_the_committed_mo_is_compiled_from_the_current_po(language, tmp_path):
    po = CATALOGUES[language]
    fresh = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "--check-format", "-o", str(fresh), str(po)], check=True, capture_output=True)
    committed = po.with_suffix(".mo")
    if fresh.read_bytes() == committed.read_bytes():
        return
    # Another gettext version may lay the file out differently; the messages must still be the same.
    assert _catalogue(committed) == _catalogue(fresh), f"{committed} is stale: run compilemessages and commit it"


def test_key_strings_render_in_chinese_by_default_and_in_english_on_request():
    from aftersales.tickets.models import Ticket

    with translation.override("zh-hans"):
        assert gettext("Queue") == "工单队列"
        assert gettext("Log a request") == "登记请求"
        assert str(Status("in_progress").label) == "处理中"
        assert str(Priority.P1.label) == "P1 紧急"
        assert str(Ticket._meta.verbose_name) == "工单"
        assert ngettext("%(years)s year", "%(years)s years", 3) % {"years": 3} == "3 年"
    with translation.override("en"):
        assert gettext("Queue") == "Queue"
        assert str(Status("in_progress").label) == "In progress"
        assert str(Priority.P1.label) == "P1 Critical"
        assert str(Ticket._meta.verbose_name) == "ticket"
        assert ngettext("%(years)s year", "%(years)s years", 1) % {"years": 1} == "1 year"


def _project_choices():
    seen, pending = [], list(models.Choices.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("aftersales.") and list(cls):
            seen.append(cls)
    return sorted(seen, key=lambda cls: cls.__qualname__)


def test_every_choice_label_has_a_chinese_translation():
    choices = _project_choices()
    assert Status in choices
    with translation.override("zh-hans"):
        missing = [
            f"{cls.__module__}.{cls.__qualname__}.{member.name}: {member.label}"
            for cls in choices
            for member in cls
            if str(member.label) not in SAME_IN_CHINESE and not HAN.search(str(member.label))
        ]
    assert not missing, f"choice labels without a Chinese translation (run `make messages`): {missing}"


def test_every_model_and_field_name_has_a_chinese_translation():
    missing = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            if not model.__module__.startswith("aftersales.") or model.__name__.startswith("Historical"):
                continue
            if model._meta.label in INTERNAL_MODELS:
                continue
            names = [
                ("verbose_name", model._meta.verbose_name),
                ("verbose_name_plural", model._meta.verbose_name_plural),
            ]
            names += [
                (f.name, f.verbose_name)
                for f in model._meta.get_fields(include_parents=False)
                if f.concrete and not f.auto_created and f.model is model
            ]
            missing += [f"{model._meta.label}.{name}: {text}" for name, text in names if not HAN.search(str(text))]
    assert not missing, f"model or field names without a Chinese translation (run `make messages`): {missing}"


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_by_default(client):
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "登录售后服务管理平台" in page and "用户名" in page and "密码" in page
    assert "Log in to Aftersales" not in page


@pytest.mark.django_db
def test_the_login_page_speaks_english_when_the_browser_asks(client):
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert "Log in to Aftersales" in page and "Username" in page and "Password" in page
    assert "登录售后服务管理平台" not in page
