"""Account balances kept by the database: a trigger adds every new ledger entry to its
account's balance row, in the same transaction (budgets.models.AccountBalance).

Entries are append-only (0002 refuses UPDATE and DELETE on PostgreSQL), so an insert trigger
is all it takes. PostgreSQL uses one statement-level trigger with a transition table: a
transaction's entries, or a bulk insert of thousands, become one upsert per account, taken in
account order so two concurrent postings lock their rows in the same order. SQLite has only
row-level triggers. On PostgreSQL a second trigger refuses any other UPDATE or DELETE of a
balance row. Existing entries are summed into the new table once, with writes to the
entries held off until the migration commits (a short wait for postings: one aggregate over
the entry table's account index).
"""

import django.db.models.deletion
from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION budgets_add_to_balances() RETURNS trigger AS $$
BEGIN
    INSERT INTO budgets_accountbalance (account_id, balance)
    SELECT account_id, SUM(CASE WHEN side = 'debit' THEN amount ELSE -amount END)
    FROM new_entries GROUP BY account_id ORDER BY account_id
    ON CONFLICT (account_id)
    DO UPDATE SET balance = budgets_accountbalance.balance + EXCLUDED.balance;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_entry_balances AFTER INSERT ON budgets_entry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_add_to_balances();
-- Only that trigger changes a balance (it runs at depth 1, its upsert's UPDATE at depth 2): a
-- direct UPDATE or DELETE of a balance row is refused, like one of a ledger row.
CREATE OR REPLACE FUNCTION budgets_refuse_balance_edit() RETURNS trigger AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION USING MESSAGE =
            'account balances are kept by the ledger trigger: ' || TG_OP || ' refused';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_accountbalance_kept BEFORE UPDATE OR DELETE ON budgets_accountbalance
    FOR EACH ROW EXECUTE FUNCTION budgets_refuse_balance_edit();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS budgets_accountbalance_kept ON budgets_accountbalance;
DROP FUNCTION IF EXISTS budgets_refuse_balance_edit();
DROP TRIGGER IF EXISTS budgets_entry_balances ON budgets_entry;
DROP FUNCTION IF EXISTS budgets_add_to_balances();
"""
SQLITE_FORWARD = """
CREATE TRIGGER budgets_entry_balances AFTER INSERT ON budgets_entry
BEGIN
    INSERT OR IGNORE INTO budgets_accountbalance (account_id, balance)
    VALUES (NEW.account_id, 0);
    UPDATE budgets_accountbalance
    SET balance = balance + CASE WHEN NEW.side = 'debit' THEN NEW.amount ELSE -NEW.amount END
    WHERE account_id = NEW.account_id;
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS budgets_entry_balances;"
BACKFILL = """
INSERT INTO budgets_accountbalance (account_id, balance)
SELECT account_id, SUM(CASE WHEN side = 'debit' THEN amount ELSE -amount END)
FROM budgets_entry GROUP BY account_id
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # No entry may be written between the backfill and the trigger (the release before
        # this one keeps serving during the migration): hold off writers until commit.
        schema_editor.execute("LOCK TABLE budgets_entry IN SHARE MODE")
        schema_editor.execute(BACKFILL)
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":  # one writer at a time anyway
        schema_editor.execute(BACKFILL)
        schema_editor.execute(SQLITE_FORWARD)
    else:  # the settings accept only these two; a balance nobody keeps must not go unnoticed
        raise RuntimeError(f"no balance trigger for {vendor}")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0008_read_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountBalance',
            fields=[
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='balance_row', serialize=False, to='budgets.account')),
                ('balance', models.DecimalField(decimal_places=2, default=0, max_digits=12)),
            ],
        ),
        migrations.RunPython(forward, reverse),
    ]
