from django.contrib import admin
from django.urls import include, path

from planner import sharing_views, views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("healthz", views.healthz, name="healthz"),
    path("talks/<int:talk_id>/track/", views.track, name="track"),
    path("talks/<slug:conference_slug>/<slug:slug>/", views.talk_detail, name="talk_detail"),
    path("queue/", views.queue_page, name="queue"),
    path("queue/reorder/", views.reorder, name="reorder"),
    path("watched/", views.watched, name="watched"),
    path("settings/", views.settings_page, name="settings"),
    path("entries/<int:entry_id>/unqueue/", views.unqueue, name="unqueue"),
    path("entries/<int:entry_id>/status/", views.set_status, name="set_status"),
    path("entries/<int:entry_id>/rating/", views.rate, name="rate"),
    path("entries/<int:entry_id>/note/", views.save_note, name="save_note"),
    path("entries/<int:entry_id>/tags/", views.add_tag, name="add_tag"),
    path("entries/<int:entry_id>/tags/remove/", views.remove_tag, name="remove_tag"),
    path("entries/<int:entry_id>/length/", views.set_length, name="set_length"),
    path("entries/<int:entry_id>/move/", views.move, name="move"),
    path("lists/", sharing_views.lists_page, name="lists"),
    path("lists/<int:list_id>/", sharing_views.list_detail, name="list_detail"),
    path("lists/<int:list_id>/delete/", sharing_views.list_delete, name="list_delete"),
    path("lists/<int:list_id>/items/", sharing_views.list_add_item, name="list_add_item"),
    path(
        "lists/<int:list_id>/items/<int:item_id>/",
        sharing_views.list_item_update,
        name="list_item_update",
    ),
    path(
        "lists/<int:list_id>/items/<int:item_id>/move/",
        sharing_views.list_item_move,
        name="list_item_move",
    ),
    path(
        "lists/<int:list_id>/items/<int:item_id>/remove/",
        sharing_views.list_item_remove,
        name="list_item_remove",
    ),
    path("lists/<int:list_id>/publish/", sharing_views.list_publish, name="list_publish"),
    path("lists/<int:list_id>/unpublish/", sharing_views.list_unpublish, name="list_unpublish"),
    path("lists/<int:list_id>/export.md", sharing_views.list_markdown, name="list_markdown"),
    path("s/<str:token>/", sharing_views.shared_list, name="shared_list"),
    path("s/<str:token>/add/", sharing_views.shared_list_add, name="shared_list_add"),
    path("watched/export.md", sharing_views.watched_markdown, name="watched_markdown"),
    path("watched/export.csv", sharing_views.watched_csv, name="watched_csv"),
    path("account/backup.json", sharing_views.backup_download, name="backup_download"),
    path("account/restore/", sharing_views.backup_restore, name="backup_restore"),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/password_reset/",
        views.ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
