"""On PostgreSQL the database itself refuses UPDATE and DELETE on ledger rows.

(TRUNCATE stays possible: test database flushes use it, and it needs table ownership.)
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION budgets_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'ledger rows are append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_entry_append_only BEFORE UPDATE OR DELETE ON budgets_entry
    FOR EACH ROW EXECUTE FUNCTION budgets_refuse_change();
CREATE TRIGGER budgets_transaction_append_only BEFORE UPDATE OR DELETE ON budgets_transaction
    FOR EACH ROW EXECUTE FUNCTION budgets_refuse_change();
"""
REVERSE = """
DROP TRIGGER IF EXISTS budgets_entry_append_only ON budgets_entry;
DROP TRIGGER IF EXISTS budgets_transaction_append_only ON budgets_transaction;
DROP FUNCTION IF EXISTS budgets_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("budgets", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
