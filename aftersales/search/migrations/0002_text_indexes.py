"""The text indexes of the search entries, which differ by database.

PostgreSQL: pg_trgm (a trusted extension in Debian's PostgreSQL 15 packages, so the database owner may
create it) with a GIN trigram index on `text` for words of three or more characters, and a GIN index
on `string_to_array(grams, ' ')` (built-in array_ops, no extension) for one- and two-character words.
pg_trgm counts CJK characters as word characters under the C.UTF-8 ctype, so Chinese text has trigrams.
The extension is left in place on the way back: other schemas may use it.

SQLite: an FTS5 table with the trigram tokenizer over the entries' text (external content, so the
text is stored once), kept in step by triggers, so bulk writes to the entries keep it current too.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS search_entry_text_trgm ON search_searchentry USING gin (text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_entry_grams_gin ON search_searchentry USING gin (string_to_array(grams, ' '))",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_grams_gin",
    "DROP INDEX IF EXISTS search_entry_text_trgm",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
    "text, content='search_searchentry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_entry_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_entry_fts_update AFTER UPDATE OF text ON search_searchentry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_entry_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_entry_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_entries")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
