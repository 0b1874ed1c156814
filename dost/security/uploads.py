"""Checking an uploaded file before it is stored: its real type (magic bytes, not the name or
the browser's claim) and its size. Stored files are served only through views that check who
asks, with `Content-Disposition: attachment` and the type found here — never from MEDIA_URL.

    from dost.security.uploads import validate_upload
    kind = validate_upload(request.FILES["document"])   # raises ValidationError
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MSG_TOO_BIG = _("The file is larger than %(limit)s.")
MSG_EMPTY = _("The file is empty.")
MSG_TYPE = _("The file must be a PDF, a JPEG or a PNG.")

# type -> (content type, leading bytes)
SIGNATURES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def sniff(head: bytes) -> str | None:
    for kind, (_content_type, magics) in SIGNATURES.items():
        if any(head.startswith(magic) for magic in magics):
            return kind
    return None


def validate_upload(
    upload: UploadedFile[bytes], *, allowed: tuple[str, ...] = ("pdf", "jpeg", "png"),
    max_bytes: int | None = None,
) -> str:
    """The file's type ("pdf", "jpeg", "png") if it is allowed and small enough; else
    ValidationError (code "size", "empty" or "type"). The file is left at its start."""
    limit = max_bytes if max_bytes is not None else int(settings.DOST_UPLOAD_MAX_BYTES)
    size = upload.size or 0
    if size > limit:
        raise ValidationError(MSG_TOO_BIG, code="size",
                              params={"limit": filesizeformat(limit)})
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None or kind not in allowed:
        raise ValidationError(MSG_TYPE, code="type")
    return kind


def content_type_of(kind: str) -> str:
    return SIGNATURES[kind][0]
