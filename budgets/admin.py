"""Read-only admin views of the books: the ledger is changed only through budgets.services."""

from django.contrib import admin

from budgets.models import Account, Budget, Entry, ExpenseClaim, PaymentBatch, Transaction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    readonly_fields = ["account", "side", "amount"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "value_date", "kind", "budget", "description", "reverses"]
    list_filter = ["kind"]
    inlines = [EntryInline]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["platform", "year", "granted_amount", "committed", "overspend_allowance"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "platform"]
    list_filter = ["kind"]


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(ReadOnlyAdmin):
    list_display = ["id", "budget", "amount", "status", "submitted_by", "reviewed_by"]
    list_filter = ["status"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ["reference", "status", "created_by", "paid_by", "paid_at"]
