from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "绩效指标"

    def ready(self):
        from django.db.models.signals import post_save

        from projects.models import Transition

        from . import library

        post_save.connect(
            library.transition_saved, sender=Transition, dispatch_uid="indicators.library.refresh"
        )
