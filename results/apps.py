from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "绩效监控与自评"

    def ready(self):
        from indicators.past import register_past
        from stats.sections import register

        from .past import last_year
        from .stats import evaluation_section, monitoring_section

        # Each goes right after 审核发现: the page shows 运行监控, then 绩效自评.
        register(evaluation_section, after="findings")
        register(monitoring_section, after="findings")
        register_past(last_year)
