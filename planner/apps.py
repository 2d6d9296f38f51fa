from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Everything personal: watch lists, ratings, notes, sharing, accounts."""

    name = "planner"
    verbose_name = "Planner"

    def ready(self) -> None:
        from planner import news
        from planner.serving import backends
        from sessions import signals

        backends.warn_if_not_compiled()
        signals.recordings_arrived.connect(news.arrived, dispatch_uid="planner-news")
