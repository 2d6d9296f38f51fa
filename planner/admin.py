from django.contrib import admin

from planner.models import Entry, ListItem, Profile, RecommendedList


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
