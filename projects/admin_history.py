"""The admin's history pages (django-simple-history) as people read them: values by their
labels (已提交 → 已批复, not submitted → approved), amounts as written (88.5), no
"修改原因 None", no internal version counter, and the breadcrumbs in Chinese."""

from dataclasses import replace

from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .history import display_value

# Bookkeeping, not content: the internal version counter is no change anyone made.
HIDDEN_FIELDS = ("version", "updated_at")


class ReadableRecordHelper(HistoricalRecordContextHelper):
    def context_for_delta_changes(self, delta):
        shown = [change for change in delta.changes if change.field not in HIDDEN_FIELDS]
        return super().context_for_delta_changes(replace(delta, changes=shown))

    def prepare_delta_change_value(self, change, value):
        return display_value(self.model, change.field, super().prepare_delta_change_value(change, value))


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    object_history_list_template = "admin/perfgoals/history_list.html"
    object_history_form_template = "admin/perfgoals/history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableRecordHelper(self.model, historical_record)
