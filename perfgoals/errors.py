"""Error pages that need nothing but the templates: no database, no session.

When the database is away every page would fail while rendering the menu (the
session and the user live in the database), so these views render standalone
templates without a request context. A 500 caused by the database being away
is answered as 503 (service unavailable, try again), which a load balancer and
a user both understand.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("perfgoals.errors")

DATABASE_AWAY = (OperationalError, InterfaceError)


def _page(template, status, **context):
    return HttpResponse(loader.get_template(template).render(context), status=status)


def database_away(exc):
    """Whether `exc` says the database cannot be reached (not a bad query).

    SQLite also reports a missing column as OperationalError, so the connection
    itself is asked whether it still works.
    """
    if not isinstance(exc, DATABASE_AWAY):
        return False
    try:
        return connection.connection is None or not connection.is_usable()
    except DatabaseError:
        return True


def server_error(request):
    """handler500: Chinese pages; 503 when the database cannot be reached."""
    exc = sys.exc_info()[1]
    if database_away(exc):
        logger.error("database unavailable: %s %s: %s", request.method, request.path, exc)
        response = _page("503.html", 503)
        response["Retry-After"] = "30"
        return response
    return _page("500.html", 500)


# Pages that answer a too large form themselves: the browser is sent back to the
# page (GET) with the reason as a message, instead of a bare error page.
FORM_PAGES = {"projects:paste", "projects:import", "projects:create", "projects:edit"}
DRAIN_LIMIT = 64 * 1024 * 1024


def _drain(request):
    """Read what is left of a refused body (up to DRAIN_LIMIT), so that the browser
    gets the answer instead of a reset connection while it is still sending."""
    stream = getattr(request, "_stream", None)
    left = DRAIN_LIMIT
    while stream is not None and left > 0:
        chunk = stream.read(min(left, 256 * 1024))
        if not chunk:
            break
        left -= len(chunk)


def _form_page(request):
    from django.urls import Resolver404, resolve

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return request.method == "POST" and match.view_name in FORM_PAGES


def bad_request(request, exception):
    """handler400, in Chinese: Django's reasons are English and meant for the log.

    A form too large for `DATA_UPLOAD_MAX_MEMORY_SIZE` sent from the paste,
    upload or editor page goes back to that page with the reason."""
    from django.conf import settings
    from django.contrib import messages
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
    from django.http import HttpResponseRedirect

    reason = ""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
        reason = f"提交的内容超过上限（{limit:.1f}MB），系统没有处理，也没有保存任何内容。"
    elif isinstance(exception, TooManyFieldsSent):
        reason = "提交的表单字段过多，系统没有处理，也没有保存任何内容。"
    logger.warning("bad request: %s %s: %s", request.method, request.path, exception)
    if reason and _form_page(request) and hasattr(request, "_messages"):
        _drain(request)
        messages.error(request, reason + "请减少内容后分几次提交。")
        return HttpResponseRedirect(request.get_full_path())
    return _page("400.html", 400, reason=reason)


@never_cache
@csrf_exempt
def health(request):
    """For a load balancer: 200 when the database answers a query, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("health check: database unavailable: %s", exc)
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
