"""PostgreSQL: finer statistics on the gram index and the text, so the planner tells common from rare words.

With the default target (100) a gram outside the ~1,000 most common elements, and a LIKE pattern outside
the histogram's 100 sampled values, is guessed at a fixed rate: a rare word then walks the newest-first
index through hundreds of thousands of rows, or a common one sorts tens of thousands (bench/search.py).
With 1,000 the planner knows ~10,000 grams' frequencies and samples 300,000 rows; ANALYZE of a million
entries takes seconds. Nothing on SQLite.
"""

from django.db import migrations

FORWARD = [
    "ALTER INDEX search_entry_grams_gin ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER TABLE search_searchentry ALTER COLUMN text SET STATISTICS 1000",
]
BACKWARD = [
    "ALTER INDEX search_entry_grams_gin ALTER COLUMN 1 SET STATISTICS -1",
    "ALTER TABLE search_searchentry ALTER COLUMN text SET STATISTICS -1",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_text_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
