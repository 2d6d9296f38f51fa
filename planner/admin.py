from django.contrib import admin

from planner.models import Digest, Entry, ListItem, Profile, RecommendedList


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["user", "talk", "status", "position", "rating", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["user", "talk"]
    search_fields = ["user__username", "talk__title"]
    raw_id_fields = ["user", "talk"]


class ListItemInline(admin.TabularInline):
    model = ListItem
    raw_id_fields = ["talk"]
    extra = 0


@admin.register(RecommendedList)
class RecommendedListAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "published_at", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["title", "user__username"]
    raw_id_fields = ["user"]
    inlines = [ListItemInline]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "speed_percent"]
    raw_id_fields = ["user"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """The emails about new talks: sent, waiting, or why not (planner.digests)."""

    list_display = ["user", "address", "created_at", "sent_at", "tries", "next_at", "error"]
    list_filter = ["sent_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "address"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "sent_at", "tries", "error"]
