"""Django admin: administrators edit the current (unfrozen) criteria; frozen copies stay as they are."""

from django.contrib import admin

from recognition.models import CriteriaVersion, Criterion


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.frozen

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.frozen

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "frozen", "created_at"]
    inlines = [CriterionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "frozen"] if obj is not None and obj.frozen else ["frozen"]

    def has_delete_permission(self, request, obj=None):
        return False
