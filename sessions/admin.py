from django.contrib import admin

from sessions.models import Conference, Talk


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "speaker_name", "conference", "position"]
    list_filter = ["kind", "conference"]
    list_select_related = ["conference"]
    search_fields = ["title", "speaker_name"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["conference", "position"]
