from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Everything personal: watch lists, ratings, notes, sharing, accounts."""

    name = "planner"
    verbose_name = "Planner"
