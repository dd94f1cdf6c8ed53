"""Uploaded files of people (photos, document scans, signed consent forms): the type is
decided by the file's first bytes, never by its name or the browser's claim."""

import uuid

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from phteah.core.errors import ServiceError

MB = 1024 * 1024
PHOTO_MAX = 2 * MB
SCAN_MAX = 5 * MB

_SIGNATURES = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF-",),
}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "pdf": "pdf"}
IMAGE_KINDS = ("jpeg", "png")
SCAN_KINDS = ("jpeg", "png", "pdf")


def sniff(head: bytes) -> str | None:
    """'jpeg', 'png' or 'pdf' from a file's first bytes, else None."""
    for kind, signatures in _SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def checked_upload(upload: UploadedFile, *, kinds, max_size: int, field: str) -> UploadedFile:
    """The upload, renamed to a random name with the extension of its real type; a
    ServiceError naming *field* when it is too large or not of an allowed type."""
    if upload.size is None or upload.size > max_size:
        raise ServiceError(
            _("The file is too large: the limit is %(size)s MB.") % {"size": max_size // MB},
            field=field,
        )
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind not in kinds:
        allowed = ", ".join(EXTENSIONS[k].upper() for k in kinds)
        raise ServiceError(
            _("This type of file is not accepted. Upload a %(types)s file.") % {"types": allowed},
            field=field,
        )
    upload.name = f"{uuid.uuid4().hex}.{EXTENSIONS[kind]}"
    return upload


def stored_kind(stored) -> str | None:
    """The type of a stored file, sniffed again when it is served."""
    with stored.open("rb") as handle:
        return sniff(handle.read(16))


class NotServable(Exception):
    """A stored file that is missing, unreadable or not of an accepted type."""


def serve(stored, *, download_name: str) -> FileResponse:
    """A stored upload, typed by its first bytes again; only images are shown inline, and
    nothing is kept in a cache."""
    if not stored:
        raise NotServable
    try:
        kind = stored_kind(stored)
    except (FileNotFoundError, OSError) as error:
        raise NotServable from error
    if kind is None:
        raise NotServable
    response = FileResponse(
        stored.open("rb"),
        content_type=CONTENT_TYPES[kind],
        as_attachment=kind not in IMAGE_KINDS,
        filename=f"{download_name}.{EXTENSIONS[kind]}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
