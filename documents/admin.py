from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "version", "language", "status", "created_at")
    list_filter = ("status", "kind", "language")
    readonly_fields = [f.name for f in Document._meta.fields]
