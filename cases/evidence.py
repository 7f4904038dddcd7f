"""What an evidence upload must be before it is stored: a plain PDF or a clean image.

Scans of passports and contracts arrive from anywhere. A PDF is parsed (pypdf) and
refused when it does not parse, carries active content (JavaScript, an action run on
opening, a launch action, embedded files, forms that run scripts) or has a stream that
inflates past a limit (a decompression bomb). An image is decoded (Pillow), refused
past a pixel limit, and re-encoded, which drops its metadata (camera, place, time).
Each refusal says why, with the HTTP status an API client should see.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.filters import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

MAX_BYTES = 5 * 1024 * 1024
# What all of a PDF's streams may inflate to, together: scans are large, bombs larger.
MAX_INFLATED_BYTES = 60 * 1024 * 1024
# An A4 page scanned at 600 dpi is about 35 million pixels.
MAX_PIXELS = 40_000_000
# Keys that make a PDF do something when it is opened or clicked.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles",
               "/RichMedia", "/XFA", "/SubmitForm", "/ImportData"}  # fmt: skip
MAX_OBJECTS = 200_000

TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class EvidenceRefused(ValueError):
    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CleanEvidence:
    content: bytes
    kind: str

    @property
    def extension(self) -> str:
        return TYPES[self.kind]


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _walk(root) -> tuple[set[str], list[StreamObject]]:
    """Every key reachable from ``root`` and every stream, following references once."""
    keys: set[str] = set()
    streams: list[StreamObject] = []
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        if len(seen) > MAX_OBJECTS:
            raise EvidenceRefused(_("This PDF has too many objects to check."), status=400)
        node = pending.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            keys.update(str(key) for key in node)
            if isinstance(node, StreamObject):
                streams.append(node)
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return keys, streams


def _inspect_pdf(content: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise EvidenceRefused(_("This PDF is encrypted: upload it without a password."), status=400)
        keys, streams = _walk(reader.trailer)
        active = sorted(keys & ACTIVE_KEYS)
        if active:
            raise EvidenceRefused(
                _("This PDF carries active content (%(what)s): print it to a new PDF or scan the paper.")
                % {"what": ", ".join(name.lstrip("/") for name in active)},
                status=400,
            )
        inflated = 0
        for stream in streams:
            inflated += len(stream.get_data())
            if inflated > MAX_INFLATED_BYTES:
                raise LimitReachedError("inflated past the limit")
        if not reader.pages:
            raise EvidenceRefused(_("This PDF has no pages."), status=400)
    except LimitReachedError:
        raise EvidenceRefused(_("This PDF expands to far more data than a scan holds."), status=400) from None
    except EvidenceRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        raise EvidenceRefused(_("This file is not a readable PDF."), status=400) from None


def _clean_image(content: bytes, kind: str) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise EvidenceRefused(_("This image has more pixels than any scan needs."), status=400)
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "image/jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=92)
            else:
                upright.save(out, "PNG", optimize=True)
            return out.getvalue()
    except EvidenceRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise EvidenceRefused(_("This image cannot be read."), status=400) from None


def evidence_inspect(upload) -> CleanEvidence:
    """The upload's content as it will be stored, or ``EvidenceRefused`` saying why not."""
    if upload.size == 0:
        raise EvidenceRefused(_("The file is empty."), status=400)
    if upload.size > MAX_BYTES:
        raise EvidenceRefused(_("The file is larger than 5 MB."), status=413)
    upload.seek(0)
    content = upload.read()
    kind = _sniff(content[:8])
    if kind is None:
        raise EvidenceRefused(_("Upload a PDF, JPEG or PNG file."), status=415)
    if kind == "application/pdf":
        _inspect_pdf(content)
        return CleanEvidence(content, kind)
    return CleanEvidence(_clean_image(content, kind), kind)
