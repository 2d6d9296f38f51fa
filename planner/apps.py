from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Everything personal: watch lists, ratings, notes, sharing, accounts."""

    name = "planner"
    verbose_name = "Planner"

    def ready(self) -> None:
        from planner.serving import backends

        backends.warn_if_not_compiled()
