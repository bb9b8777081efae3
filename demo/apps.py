from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for `make run` and synthetic data for load tests; no models of its own."""

    name = "demo"
