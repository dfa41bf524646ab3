from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "绩效指标"

    def ready(self):
        from django.db import transaction
        from django.db.models.signals import post_save

        from projects.models import Transition

        from . import library

        def approval_changed(sender, instance, created, **kwargs):
            # An approval adds a project to the library, a reopening takes it out: the
            # unit-year is rebuilt once the step is committed (never inside it, so the
            # reviewer's step does not wait for the library nor fail with it).
            if created and "approved" in (instance.from_status, instance.to_status):
                transaction.on_commit(library.refresh_quietly)

        post_save.connect(approval_changed, sender=Transition, dispatch_uid="indicators.library.refresh")
