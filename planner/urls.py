from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from planner.forms import SignInForm
from planner.views import (
    account,
    actions,
    app,
    catalog,
    conferences,
    data,
    found,
    lists,
    plan,
    player,
    queue,
    shared,
    talk,
    transcripts,
)

# What a person does to their record of a talk: /entries/<entry_id>/...
entry_urls = [
    path("unqueue/", actions.unqueue, name="unqueue"),
    path("status/", actions.set_status, name="set_status"),
    path("rating/", actions.rate, name="rate"),
    path("note/", actions.save_note, name="save_note"),
    path("tags/", actions.add_tag, name="add_tag"),
    path("tags/remove/", actions.remove_tag, name="remove_tag"),
    path("length/", actions.set_length, name="set_length"),
    path("move/", queue.move, name="move"),
]

# One of a person's recommended lists: /lists/<list_id>/...
list_urls = [
    path("", lists.list_detail, name="list_detail"),
    path("delete/", lists.list_delete, name="list_delete"),
    path("items/", lists.list_add_item, name="list_add_item"),
    path("items/<int:item_id>/", lists.list_item_update, name="list_item_update"),
    path("items/<int:item_id>/move/", lists.list_item_move, name="list_item_move"),
    path("items/<int:item_id>/remove/", lists.list_item_remove, name="list_item_remove"),
    path("publish/", lists.list_publish, name="list_publish"),
    path("unpublish/", lists.list_unpublish, name="list_unpublish"),
    path("export.md", data.list_markdown, name="list_markdown"),
]

urlpatterns = [
    path("", catalog.catalog, name="catalog"),
    path("healthz", catalog.healthz, name="healthz"),
    path("talks/<int:talk_id>/track/", actions.track, name="track"),
    path("talks/<int:talk_id>/progress/", player.save_progress, name="save_progress"),
    path("talks/<int:talk_id>/merge/", found.merge_talk, name="merge_talk"),
    path("talks/<int:talk_id>/lists/", lists.talk_to_list, name="talk_to_list"),
    path("talks/<int:talk_id>/transcript/", transcripts.talk_transcript, name="talk_transcript"),
    path("settings/speed/", player.save_speed, name="save_speed"),
    path("talks/<slug:conference_slug>/<slug:slug>/", talk.talk_detail, name="talk_detail"),
    path(
        "talks/<slug:conference_slug>/<slug:slug>/transcript/",
        transcripts.transcript_page,
        name="transcript_page",
    ),
    path("conferences/", conferences.conference_list, name="conferences"),
    path("conferences/add/", conferences.conference_add, name="conference_add"),
    path("conferences/<slug:slug>/", conferences.conference_detail, name="conference_detail"),
    path(
        "conferences/<slug:slug>/refresh/",
        conferences.conference_refresh,
        name="conference_refresh",
    ),
    path(
        "conferences/<slug:slug>/source/",
        conferences.conference_source,
        name="conference_source",
    ),
    path("conferences/<slug:slug>/feeds/", conferences.feed_add, name="feed_add"),
    path(
        "conferences/<slug:slug>/feeds/<int:pk>/refresh/",
        conferences.feed_refresh,
        name="feed_refresh",
    ),
    path(
        "conferences/<slug:slug>/feeds/<int:pk>/source/",
        conferences.feed_source,
        name="feed_source",
    ),
    path(
        "conferences/<slug:slug>/feeds/<int:pk>/remove/",
        conferences.feed_remove,
        name="feed_remove",
    ),
    path(
        "conferences/<slug:slug>/uploads/<int:pk>/",
        conferences.feed_video_place,
        name="feed_video_place",
    ),
    path("queue/", queue.queue_page, name="queue"),
    path("add/", found.add_talk, name="add_talk"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service_worker"),
    path("offline/", app.offline, name="offline"),
    path("plan/", plan.plan_page, name="plan"),
    path("plan/plan.ics", plan.plan_ics, name="plan_ics"),
    path("plan/time-zones.json", plan.plan_time_zones, name="plan_time_zones"),
    path("plan/feed/new/", plan.plan_feed_publish, name="plan_feed_publish"),
    path("plan/feed/off/", plan.plan_feed_revoke, name="plan_feed_revoke"),
    path("plan/feed/<str:token>.ics", plan.plan_feed, name="plan_feed"),
    path("queue/reorder/", queue.reorder, name="reorder"),
    path("watched/", account.watched, name="watched"),
    path("watched/export.md", data.watched_markdown, name="watched_markdown"),
    path("watched/export.csv", data.watched_csv, name="watched_csv"),
    path("settings/", account.settings_page, name="settings"),
    path("entries/undo-watched/", actions.undo_watched, name="undo_watched"),
    path("entries/<int:entry_id>/", include(entry_urls)),
    path("lists/", lists.lists_page, name="lists"),
    path("lists/<int:list_id>/", include(list_urls)),
    path("s/<str:token>/", shared.shared_list, name="shared_list"),
    path("s/<str:token>/add/", shared.shared_list_add, name="shared_list_add"),
    path("account/backup.json", data.backup_download, name="backup_download"),
    path("account/restore/", data.backup_restore, name="backup_restore"),
    path("accounts/signup/", account.signup, name="signup"),
    path("welcome/", account.welcome, name="welcome"),
    path(
        "accounts/password_reset/",
        account.ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/login/", auth_views.LoginView.as_view(form_class=SignInForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
