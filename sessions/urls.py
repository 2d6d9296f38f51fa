from django.urls import path

from sessions import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("talks/<slug:conference_slug>/<slug:slug>/", views.talk_detail, name="talk_detail"),
]
