from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """The public catalog: conferences and their talks.

    django.contrib.sessions already owns the label "sessions", so this app
    gets its own label; it is baked into table names and migrations.
    """

    name = "sessions"
    label = "talk_sessions"
    verbose_name = "Catalog"
