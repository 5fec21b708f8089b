from django.contrib import admin

from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "status", "attempts", "generated_at", "sha256"]
    list_filter = ["kind", "status"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]
