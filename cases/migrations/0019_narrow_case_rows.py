"""PostgreSQL: the case row keeps its fixed-width columns, its title and `search_head` in the
table, and the long texts and the full search vector beside it (TOAST).

A search, the facet counts and the statistics read the masks, the dates, the counters and the
rank's `search_head` of every matching case: with the texts in the row a case took about 4 kB,
two cases a page, so a word found in a third of 100,000 cases read some 130 MB. With the row
narrowed to a few hundred bytes they read a tenth of that; a page that shows a case's text
reads it from beside the row (a few index lookups a case).

`toast_tuple_target` moves values out of rows written from now on; VACUUM FULL rewrites the
rows already there (it locks the table while it runs: seconds for 100,000 cases), which is
why this migration is not atomic.
"""

from django.db import migrations

# The smallest row PostgreSQL tries to reach by moving values out (its minimum is 128).
TARGET = 256
# Read for every matching case: kept in the row even when it is longer than the target.
KEPT_IN_ROW = ("title", "search_head")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE cases_case SET (toast_tuple_target = {TARGET})")
    for column in KEPT_IN_ROW:
        schema_editor.execute(f"ALTER TABLE cases_case ALTER COLUMN {column} SET STORAGE MAIN")
    schema_editor.execute("VACUUM FULL cases_case")
    schema_editor.execute("ANALYZE cases_case")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE cases_case RESET (toast_tuple_target)")
    for column in KEPT_IN_ROW:
        schema_editor.execute(f"ALTER TABLE cases_case ALTER COLUMN {column} SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0018_search_facets")]

    operations = [migrations.RunPython(forwards, backwards)]
