"""Recall and precision are exact: the engine returns what a plain substring scan returns, no more, no less.

Runs on whichever database the suite uses (SQLite's FTS5 trigram table and scan; PostgreSQL's trigram
and gram GIN indexes); CI runs both.
"""

import datetime as dt
import random

import pytest

from aftersales.search.indexing import ENTRY_FIELDS
from aftersales.search.models import SearchEntry
from aftersales.search.query import match_ids
from aftersales.search.text import document, grams

pytestmark = pytest.mark.django_db

ROWS = 300
FAULTS = [
    "服务器无法开机",
    "硬盘告警",
    "打印机卡纸",
    "交换机端口闪断",
    "存储控制器故障",
    "电源模块损坏",
    "内存报错",
    "网络不通",
    "系统蓝屏",
    "数据库连接超时",
    "风扇转速异常",
    "机柜温度过高",
    "光模块老化",
    "备份任务失败",
    "UPS电池鼓包",
    "防火墙策略丢失",
    "虚拟机迁移失败",
    "磁盘阵列降级",
    "主板更换",
    "固件升级",
]
PLACES = ["三楼机房", "财务室", "数据中心", "营业厅", "二号楼", "档案室", "监控中心", "卡口", "一", "口"]
ENGLISH = ["HP LaserJet", "Huawei OceanStor", "Cisco", "RAID5", "BIOS", "Dell PowerEdge R740", "iLO", "Oracle"]
ODD = ["100%", "a_b", 'say "hi"', "C:\\temp", "50%off"]


def _field(rng: random.Random) -> str:
    parts = [rng.choice(FAULTS + PLACES)]
    for _ in range(rng.randint(0, 3)):
        parts.append(rng.choice(FAULTS + PLACES + ENGLISH + ODD + ["，", "。", " "]))
    return "".join(parts)


def _fixture() -> dict[int, list[str]]:
    rng = random.Random(6)
    rows = {}
    for object_id in range(1, ROWS + 1):
        number = f"SR2026{rng.randint(101, 1231):04d}{object_id:04d}"
        phone = f"+86139{rng.randint(10_000_000, 99_999_999)}"
        rows[object_id] = [number, _field(rng), _field(rng), *([_field(rng)] if rng.random() < 0.5 else []), phone]
    return rows


def _queries(rows: dict[int, list[str]]) -> list[str]:
    rng = random.Random(60)
    queries = []
    fields = [field for row in rows.values() for field in row]
    for length in (1, 2, 3, 4):
        for _ in range(30):
            field = rng.choice(fields)
            start = rng.choice([0, max(len(field) - length, 0), rng.randint(0, max(len(field) - length, 0))])
            queries.append(field[start : start + length])
    for _ in range(20):  # across the boundary of two fields of one row: must match only within a field
        row = rng.choice(list(rows.values()))
        index = rng.randrange(len(row) - 1)
        queries.append(row[index][-rng.randint(1, 2) :] + row[index + 1][: rng.randint(1, 2)])
    queries += [
        "卡",
        "口",
        "一",
        "硬盘 告警",
        "打印机 hp",
        "hp laserjet 卡纸",
        "HUAWEI 故障",
        "oceanstor 财务",
        "sr2026",
        "SR2026 机房",
        "139",
        "raid5",
        "r740 机",
        "100%",
        "%",
        "_",
        "a_b",
        '"hi"',
        '"',
        "\\temp",
        "c:\\",
        "龘",
        "不存在的故障描述",
        "财务室 档案室 数据中心",
    ]
    return [query for query in queries if query.strip()]


def _substring_scan(rows: dict[int, list[str]], query: str) -> set[int]:
    words = query.lower().split()
    return {
        object_id
        for object_id, fields in rows.items()
        if all(any(word in field.lower() for field in fields) for word in words)
    }


def test_results_equal_a_plain_substring_scan():
    rows = _fixture()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    SearchEntry.objects.bulk_create(
        SearchEntry(
            kind="ticket",
            object_id=object_id,
            customer_id=1,
            title=fields[0],
            # Ids and times disagree on purpose: results are ordered by time.
            ordered_at=start + dt.timedelta(hours=(object_id * 37) % ROWS),
            text=(text := document(fields)),
            grams=grams(text),
        )
        for object_id, fields in rows.items()
    )
    newest_first = {object_id: (object_id * 37) % ROWS for object_id in rows}
    queries = _queries(rows)
    assert len(queries) > 150
    found_somewhere = 0
    for query in queries:
        expected = _substring_scan(rows, query)
        found = match_ids("ticket", query)
        assert set(found) == expected, query
        assert found == sorted(found, key=lambda object_id: (newest_first[object_id], object_id), reverse=True)
        found_somewhere += bool(found)
    assert found_somewhere > len(queries) * 0.8  # the fixture really exercises matches, not only misses


def test_a_word_across_two_fields_does_not_match():
    SearchEntry.objects.create(
        kind="ticket",
        object_id=1,
        title="t",
        ordered_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        text=(text := document(["服务器", "宕机", "HP", "Printer"])),
        grams=grams(text),
    )
    for query in ("器宕", "服务器宕", "器宕机", "hpprinter", "p p", "务器 宕"):
        assert match_ids("ticket", query) == ([1] if " " in query else []), query


def test_the_entry_fields_are_what_reindex_compares():
    assert set(ENTRY_FIELDS) == {
        field.name for field in SearchEntry._meta.concrete_fields if field.name not in {"id", "kind", "object_id"}
    }
