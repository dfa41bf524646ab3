"""A file to download: the one response every export view answers with."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def download(content, content_type, filename):
    """`content` (bytes) as an attachment named `filename` (Chinese names encoded per RFC 6266)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
