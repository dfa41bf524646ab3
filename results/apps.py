from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "绩效监控与自评"

    def ready(self):
        from stats.sections import register

        from .stats import monitoring_section

        register(monitoring_section, after="findings")
