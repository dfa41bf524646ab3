from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "绩效监控与自评"

    def ready(self):
        from indicators.past import register_past
        from stats.sections import register

        from .past import last_year
        from .stats import monitoring_section

        register(monitoring_section, after="findings")
        register_past(last_year)
