from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .checks import RULES, SEVERITY_LABELS


@login_required
def rules(request):
    return render(request, "indicators/rules.html", {"rules": RULES, "severity_labels": SEVERITY_LABELS})
