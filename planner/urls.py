from django.contrib import admin
from django.urls import include, path

from planner import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
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
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
