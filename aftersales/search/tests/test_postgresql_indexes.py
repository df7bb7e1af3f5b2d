"""On PostgreSQL the queries can use the text indexes: the SQL must match the indexes' expressions."""

import pytest
from django.db import connection

from aftersales.search.models import SearchEntry
from aftersales.search.query import matching
from aftersales.search.text import query_words

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def plan(query: str) -> str:
    entries = matching(SearchEntry.objects.all(), query_words(query)).values("object_id")
    sql, parameters = entries.query.sql_with_params()
    with connection.cursor() as cursor:
        # Left only bitmap scans, which need an index whose expression matches the condition.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", parameters)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_short_words_use_the_gram_index_and_long_words_the_trigram_index():
    assert "search_entry_grams_gin" in plan("卡")
    assert "search_entry_grams_gin" in plan("硬盘 hp")
    assert "search_entry_text_trgm" in plan("无法开机")


def test_the_statistics_targets_are_raised():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, attstattarget FROM pg_attribute "
            "WHERE (attrelid = 'search_entry_grams_gin'::regclass AND attnum = 1) "
            "OR (attrelid = 'search_searchentry'::regclass AND attname = 'text') ORDER BY 1"
        )
        assert cursor.fetchall() == [("search_entry_grams_gin", 1000), ("search_searchentry", 1000)]
