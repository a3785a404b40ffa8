"""Uploaded documents of applicants' dossiers: checked, stored and served here only.

Security guide, "Uploads" and "Reliability":

- `clean_upload` accepts PDF, JPEG and PNG only when the name, the extension and the
  magic bytes agree; it refuses empty and oversized files, control characters and
  dangerous double extensions in names, HTML hidden in a file (polyglots), PDFs carrying
  active content, and images with too many pixels; images are re-encoded from their
  pixels, which drops EXIF (GPS position…), other metadata and any trailing payload.
- `store` writes under the private root (never under a public URL) with a server-made
  name, durably before the transaction commits; `purge_orphans` removes what
  rolled-back transactions left behind (files no row names).
- `file_response` serves a stored file as an attachment that no browser will render.
  Access checks belong to the calling view.

Every refusal is an `UploadRefused` whose French message names the file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import io
import logging
import os
import re
import threading
import time
import unicodedata
import uuid
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# extension → (content type, what the user calls it): what may be stored. A ZIP is only
# ever made by Parcours (a period's attendance sheets); uploads accept
# ACCEPTED_EXTENSIONS alone.
KINDS = {
    "pdf": ("application/pdf", "PDF"),
    "jpg": ("image/jpeg", "JPEG"),
    "png": ("image/png", "PNG"),
    "zip": ("application/zip", "archive ZIP"),
}
# Extensions accepted in a client's name, and the one they are stored under.
ACCEPTED_EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}
# What `filetype` may report for each stored extension (an animated PNG is still a PNG:
# only its first frame survives re-encoding).
DETECTED_TYPES = {
    "pdf": {"application/pdf"},
    "jpg": {"image/jpeg"},
    "png": {"image/png", "image/apng"},
}
# Inner suffixes that make a double extension suspicious ("cv.html.pdf").
DANGEROUS_INNER_EXTENSIONS = frozenset(
    {
        *("html", "htm", "xhtml", "shtml", "svg", "xml", "js", "hta"),
        *("php", "asp", "aspx", "jsp", "cgi", "py", "pl", "sh"),
        *("exe", "com", "scr", "bat", "cmd", "jar"),
    }
)
DISPLAY_NAME_MAX_CHARS = 100
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:pdf|jpg|png|zip)")
INCOMING = "incoming"

_ACCEPTED_TEXT = "seuls les fichiers PDF, JPEG et PNG sont acceptés."
_RESAVE_PDF = (
    "Enregistrez-le à nouveau en PDF (menu « Imprimer », puis « Enregistrer au format "
    "PDF ») et déposez ce nouveau fichier."
)
_READ_CHUNK = 64 * 1024

# Unicode categories refused in names: controls (NUL, newline…), format characters
# (right-to-left override, zero-width…), line/paragraph separators, lone surrogates.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

# HTML a browser would render: the marker followed by what makes it a tag.
_HTML_MARKERS = re.compile(rb"<(?:html|script|svg)[\s/>]", re.IGNORECASE)

# --- PDF active content -------------------------------------------------------------------
# Names that only active or embedded content uses. A JavaScript action always names
# /JavaScript (its /S type, or the document's /Names tree), so these long names are looked
# for everywhere, in stream data too (random bytes do not spell them), and in the decoded
# data of streams, where PDF 1.5+ files keep their dictionaries (object streams).
PDF_ACTIVE_NAMES = (
    "JavaScript",
    "Launch",
    "EmbeddedFiles",
    "EmbeddedFile",
    "RichMedia",
    "XFA",
    "SubmitForm",
    "ImportData",
    "GoToE",
)
_PDF_SPACE = rb"[\x00\t\n\x0c\r ]"
_PDF_REGULAR = rb"[^\x00\t\n\x0c\r /\[\]()<>{}%]"
_PDF_GAP = rb"(?:" + _PDF_SPACE + rb"|%[^\r\n]*+)"  # whitespace or a comment


def _pdf_name_pattern(name: str) -> bytes:
    """A regex for /name, each character written plainly or as #xx (/J#61vaScript)."""
    parts = []
    for code in name.encode("ascii"):
        escaped = "#" + "".join(
            f"[{digit}{digit.upper()}]" if digit.isalpha() else digit for digit in f"{code:02x}"
        )
        parts.append(f"(?:{re.escape(chr(code))}|{escaped})")
    return "".join(parts).encode("ascii")


_PDF_ACTIVE = re.compile(
    rb"/(?:"
    + b"|".join(_pdf_name_pattern(name) for name in PDF_ACTIVE_NAMES)
    + rb")(?!"
    + _PDF_REGULAR
    + rb")"
)
# The short /JS key (with the value it must have: a string or an indirect reference) is
# looked for outside stream data only: three bytes do turn up in compressed images.
_PDF_JS_KEY = re.compile(
    rb"/"
    + _pdf_name_pattern("JS")
    + rb"(?:"
    + _PDF_GAP
    + rb"*+[(<]|"
    + _PDF_GAP
    + rb"++\d+"
    + _PDF_GAP
    + rb"++\d+"
    + _PDF_GAP
    + rb"++R)"
)
_PDF_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_PDF_STREAM_END = b"endstream"
_PDF_ASCII = re.compile(rb"[\x09\x0a\x0c\x0d\x20-\x7e]*")
_PDF_EOF_WINDOW = 1024  # where readers look for %%EOF
_PDF_OVERLAP = 64  # longer than any looked-for name, even fully #-escaped


class _PdfTooComplex(Exception):
    """More decompressed data than the budget allows (a decompression bomb?)."""


class UploadRefused(ValidationError):
    """An uploaded file refused by `clean_upload`; the message, in French, names it."""


@dataclass(frozen=True)
class CleanUpload:
    content: bytes  # what will be stored (images re-encoded)
    extension: str  # "pdf", "jpg" or "png"
    content_type: str  # "application/pdf", "image/jpeg", "image/png"
    display_name: str  # the client's name made safe for display and Content-Disposition
    size: int
    sha256: str


# --- Checking -----------------------------------------------------------------------------


def clean_upload(uploaded) -> CleanUpload:
    """Check an uploaded file (a Django `UploadedFile`) and return what may be stored.

    Raises `UploadRefused` with a French message naming the file at the first problem.
    """
    try:
        return _clean(uploaded)
    except UploadRefused as refused:
        logger.info("Fichier déposé refusé (%s).", refused.code)  # not its name: personal
        raise


def check_name(uploaded) -> None:
    """The cheap checks a form runs with its other fields (name, extension, size), so a
    .docx is reported beside a bad date, not after it; `clean_upload` does them again
    with the content."""
    label = _label(uploaded.name or "")
    declared = getattr(uploaded, "size", None)
    if declared == 0:
        raise _refused(label, "le fichier est vide.", "empty")
    if declared is not None and declared > settings.UPLOAD_MAX_BYTES:
        raise _too_large(label, settings.UPLOAD_MAX_BYTES)
    _check_name(uploaded.name or "", label)


def _clean(uploaded) -> CleanUpload:
    raw_name = uploaded.name or ""
    label = _label(raw_name)
    limit = settings.UPLOAD_MAX_BYTES

    declared = getattr(uploaded, "size", None)
    if declared == 0:
        raise _refused(label, "le fichier est vide.", "empty")
    if declared is not None and declared > limit:
        raise _too_large(label, limit)
    data = _read_at_most(uploaded, limit + 1)  # never the whole of a huge file
    if not data:
        raise _refused(label, "le fichier est vide.", "empty")
    if len(data) > limit:
        raise _too_large(label, limit)

    extension, display_name = _check_name(raw_name, label)

    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in DETECTED_TYPES[extension]:
        raise _not_a(label, extension)

    if extension == "pdf":
        content = _check_pdf(data, label)
    else:
        content = _reencode_image(data, extension, label)
    return CleanUpload(
        content=content,
        extension=extension,
        content_type=KINDS[extension][0],
        display_name=display_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _refused(label: str, reason: str, code: str) -> UploadRefused:
    return UploadRefused(f"« {label} » : {reason}", code=code)


def _too_large(label: str, limit: int) -> UploadRefused:
    return _refused(
        label, f"le fichier dépasse la taille maximale de {_human_size(limit)}.", "too_large"
    )


def _not_a(label: str, extension: str) -> UploadRefused:
    return _refused(
        label,
        f"le contenu du fichier n'est pas un {KINDS[extension][1]} valide ; {_ACCEPTED_TEXT}",
        "bad_content",
    )


def _human_size(size: int) -> str:
    for unit, factor in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if size >= factor:
            number = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{number} {unit}"
    return f"{size} octets"


def _read_at_most(uploaded, count: int) -> bytes:
    with contextlib.suppress(AttributeError, io.UnsupportedOperation):
        uploaded.seek(0)
    chunks, remaining = [], count
    while remaining > 0:
        chunk = uploaded.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# --- Names --------------------------------------------------------------------------------


def _basename(name: str) -> str:
    """The last component of a client's path, whichever separator its system uses."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _is_forbidden_char(char: str) -> bool:
    return unicodedata.category(char) in _FORBIDDEN_CATEGORIES


def _label(name: str) -> str:
    """The client's name as it may appear in a message: basename, no control characters,
    not too long."""
    shown = "".join(c for c in _basename(name) if not _is_forbidden_char(c))
    shown = unicodedata.normalize("NFC", shown).strip()
    if len(shown) > DISPLAY_NAME_MAX_CHARS:
        shown = shown[: DISPLAY_NAME_MAX_CHARS - 1] + "…"
    return shown or "fichier sans nom"


def _check_name(name: str, label: str) -> tuple[str, str]:
    """The stored extension and the display name of a client's file name."""
    if any(_is_forbidden_char(c) for c in name):
        raise _refused(
            label,
            "le nom du fichier contient des caractères interdits (caractères de contrôle ou "
            "invisibles) ; renommez-le puis déposez-le à nouveau.",
            "bad_name",
        )
    base = unicodedata.normalize("NFC", _basename(name)).strip()
    stem, dot, suffix = base.rpartition(".")
    extension = ACCEPTED_EXTENSIONS.get(suffix.strip().lower()) if dot else None
    if extension is None:
        raise _refused(label, _ACCEPTED_TEXT, "bad_extension")
    for inner in stem.split(".")[1:]:
        if inner.strip().lower() in DANGEROUS_INNER_EXTENSIONS:
            raise _refused(
                label,
                f"ce nom porte une double extension suspecte (.{inner.strip()}) ; "
                "renommez le fichier puis déposez-le à nouveau.",
                "double_extension",
            )
    return extension, _display_name(stem, extension)


def _display_name(stem: str, extension: str) -> str:
    stem = stem.strip().rstrip(". ")
    stem = stem[: DISPLAY_NAME_MAX_CHARS - len(extension) - 1].rstrip(". ")
    return f"{stem or 'document'}.{extension}"


# --- PDF ----------------------------------------------------------------------------------


def _check_pdf(data: bytes, label: str) -> bytes:
    if not data.startswith(b"%PDF-"):
        raise _not_a(label, "pdf")
    if _HTML_MARKERS.search(data):
        raise _polyglot(label)
    if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise _refused(
            label,
            "ce PDF semble incomplet ou endommagé. " + _RESAVE_PDF,
            "pdf_corrupt",
        )
    try:
        active = _pdf_has_active_content(data)
    except _PdfTooComplex:
        raise _refused(
            label, "ce PDF est trop complexe pour être vérifié. " + _RESAVE_PDF, "pdf_complex"
        ) from None
    if not active:
        active = _parsed_pdf_has_active_content(data, label)
    if active:
        raise _refused(
            label,
            "ce PDF contient du contenu actif (JavaScript, lancement d'application, "
            "formulaire qui s'envoie ou fichier joint) et il est refusé par sécurité. "
            + _RESAVE_PDF,
            "pdf_active_content",
        )
    return data


# What a parsed PDF may not hold anywhere: keys and names of active or embedded content.
_PDF_ACTIVE_KEYS = frozenset(
    f"/{name}" for name in ("JS", "JavaScript", "EmbeddedFiles", "EmbeddedFile", "RichMedia", "XFA")
)
_PDF_ACTIVE_ACTIONS = frozenset(
    f"/{name}"
    for name in ("JavaScript", "Launch", "SubmitForm", "ImportData", "GoToE", "GoToR", "Rendition")
)
# Actions a reader runs by itself (on opening, on a page or field event): none but a move
# inside the document ("/GoTo", as LaTeX's hyperref writes) is accepted; a link the
# learner clicks (/URI in an annotation's /A) stays allowed.
_PDF_AUTOMATIC_KEYS = ("/OpenAction", "/AA")
_PDF_MAX_OBJECTS = 200_000


def _parsed_pdf_has_active_content(data: bytes, label: str) -> bool:
    """Whether pypdf, resolving every object of the file (object streams decoded, any
    filter), finds active content. A PDF it cannot read is refused with its reason."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refused(
                label,
                "ce PDF est protégé par un mot de passe et ne peut pas être vérifié. "
                + _RESAVE_PDF,
                "pdf_encrypted",
            )
        references = [
            (number, generation)
            for generation, numbers in reader.xref.items()
            for number in numbers
        ]
        references += [(number, 0) for number in reader.xref_objStm]
        if len(references) > _PDF_MAX_OBJECTS:
            raise _PdfTooComplex
        roots = [reader.trailer]
        for number, generation in references:
            roots.append(reader.get_object(IndirectObject(number, generation, reader)))
        # Object streams are read whether or not the cross-reference names what they
        # hold: a reader that rebuilds a damaged file would find those objects too.
        for root in list(roots):
            roots.extend(_object_stream_members(root, reader))
        return any(_pdf_object_is_active(root) for root in roots if root is not None)
    except UploadRefused:
        raise
    except (_PdfTooComplex, RecursionError, MemoryError):
        raise _refused(
            label, "ce PDF est trop complexe pour être vérifié. " + _RESAVE_PDF, "pdf_complex"
        ) from None
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        zlib.error,
        AssertionError,
    ):
        raise _refused(
            label, "ce PDF est illisible ou endommagé. " + _RESAVE_PDF, "pdf_corrupt"
        ) from None


def _object_stream_members(candidate, reader) -> list:
    from pypdf.generic import StreamObject, read_object

    if not isinstance(candidate, StreamObject) or candidate.get("/Type") != "/ObjStm":
        return []
    count, first = int(candidate["/N"]), int(candidate["/First"])
    if count > _PDF_MAX_OBJECTS:
        raise _PdfTooComplex
    data = candidate.get_data()
    header = data[:first].split()
    members = []
    for index in range(min(count, len(header) // 2)):
        stream = io.BytesIO(data)
        stream.seek(first + int(header[2 * index + 1]))
        members.append(read_object(stream, reader))
    return members


def _pdf_object_is_active(root) -> bool:
    """Walk one object's direct structure (indirect objects are walked on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    pending = [root]
    seen = 0
    while pending:
        value = pending.pop()
        seen += 1
        if seen > _PDF_MAX_OBJECTS:
            raise _PdfTooComplex
        if isinstance(value, DictionaryObject):  # streams included
            for key, item in value.items():
                if key in _PDF_ACTIVE_KEYS:
                    return True
                if key == "/S" and item in _PDF_ACTIVE_ACTIONS:
                    return True
                if key in _PDF_AUTOMATIC_KEYS and _runs_by_itself(item, key):
                    return True
                if not isinstance(item, IndirectObject):
                    pending.append(item)
        elif isinstance(value, ArrayObject):
            pending.extend(item for item in value if not isinstance(item, IndirectObject))
        elif isinstance(value, NameObject) and value in _PDF_ACTIVE_KEYS | _PDF_ACTIVE_ACTIONS:
            return True
    return False


def _runs_by_itself(value, key: str) -> bool:
    """Whether an /OpenAction or /AA entry triggers anything but a move in the document."""
    from pypdf.generic import ArrayObject, DictionaryObject

    value = value.get_object() if hasattr(value, "get_object") else value
    if key == "/AA":
        return isinstance(value, DictionaryObject) and len(value) > 0
    if isinstance(value, ArrayObject):  # a destination: where to open, nothing to run
        return False
    if isinstance(value, DictionaryObject):
        return value.get("/S") != "/GoTo" or "/Next" in value
    return False


def _polyglot(label: str) -> UploadRefused:
    return _refused(
        label,
        "le fichier contient du code HTML caché et il est refusé par sécurité.",
        "polyglot",
    )


def _pdf_has_active_content(data: bytes) -> bool:
    """Whether the PDF names active or embedded content, in its plain bytes or in the
    decoded data of its streams (Flate, ASCIIHex, ASCII85; bounded decompression)."""
    if _PDF_ACTIVE.search(data):
        return True
    budget = [32 * settings.UPLOAD_MAX_BYTES]  # decompressed bytes still allowed
    outside_streams = []
    position = 0
    for start in _PDF_STREAM_START.finditer(data):
        if start.start() < position:
            continue  # "stream" inside the data of the previous stream
        end = data.find(_PDF_STREAM_END, start.end())
        if end < 0:
            end = len(data)
        outside_streams.append(data[position : start.start()])
        position = end
        if _stream_has_active_content(data[start.end() : end], budget):
            return True
    outside_streams.append(data[position:])
    return any(_PDF_JS_KEY.search(part) for part in outside_streams)


def _stream_has_active_content(body: bytes, budget: list[int]) -> bool:
    candidates = [body]
    if _PDF_ASCII.fullmatch(body, 0, 512):
        decoded = _ascii_decoded(body)
        if decoded is not None:
            if _PDF_ACTIVE.search(decoded):
                return True
            candidates.append(decoded)
    return any(_inflated_has_active_content(candidate, budget) for candidate in candidates)


def _ascii_decoded(body: bytes) -> bytes | None:
    """The data of an ASCIIHex or ASCII85 stream, or None."""
    text = re.sub(rb"[\x00\t\n\x0c\r ]", b"", body)
    if text.endswith(b"~>"):
        with contextlib.suppress(ValueError):
            return base64.a85decode(text, adobe=True)
        return None
    text = text.removesuffix(b">")
    if len(text) % 2:
        text += b"0"
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        return None


def _inflated_has_active_content(body: bytes, budget: list[int]) -> bool:
    """Inflate `body` piece by piece (if it is zlib data) and look for active names."""
    inflater = zlib.decompressobj()
    pending, position, tail = b"", 0, b""
    while not inflater.eof:
        if not pending:
            if position >= len(body):
                break
            pending = body[position : position + _READ_CHUNK]
            position += _READ_CHUNK
        if budget[0] <= 0:
            raise _PdfTooComplex
        try:
            piece = inflater.decompress(pending, min(16 * _READ_CHUNK, budget[0]))
        except zlib.error:
            break  # not zlib data, or damaged: what was read has been looked at
        pending = inflater.unconsumed_tail
        budget[0] -= len(piece)
        window = tail + piece
        if _PDF_ACTIVE.search(window):
            return True
        tail = window[-_PDF_OVERLAP:]
    return False


# --- Images -------------------------------------------------------------------------------

_JPEG_MODES = frozenset({"L", "RGB", "CMYK"})
# Decoding an image holds its pixels in memory: at most this many at once per process
# (each budgeted by UPLOAD_MAX_PIXELS); a request that waits too long is told to retry.
_DECODING = threading.BoundedSemaphore(settings.UPLOAD_MAX_CONCURRENT_DECODES)
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"})


def _reencode_image(data: bytes, extension: str, label: str) -> bytes:
    """The image re-encoded from its decoded pixels: no metadata, no trailing bytes."""
    if _HTML_MARKERS.search(data):
        raise _polyglot(label)
    image_format = "JPEG" if extension == "jpg" else "PNG"
    corrupt = _refused(
        label,
        "l'image est illisible ou endommagée ; enregistrez-la à nouveau puis déposez-la.",
        "image_corrupt",
    )

    # Image.open reads the header only: the pixel count is known before any decoding.
    try:
        probe = Image.open(io.BytesIO(data), formats=[image_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(label) from None
    except Exception:
        raise corrupt from None
    with probe:
        width, height = probe.size
        # 16-bit samples decode to twice the memory: they count twice in the budget.
        weight = 2 if image_format == "PNG" and data[24:25] == b"\x10" else 1
        if width * height * weight > _max_pixels():
            raise _too_many_pixels(label, f"{_number(width)} × {_number(height)} pixels")
        try:
            probe.verify()
        except Exception:
            raise corrupt from None

    output = io.BytesIO()
    if not _DECODING.acquire(timeout=settings.UPLOAD_DECODE_WAIT_SECONDS):
        raise _refused(
            label,
            "le serveur vérifie déjà d'autres images ; réessayez dans une minute.",
            "busy",
        )
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()
            pixels = _upright(image)
            if image_format == "JPEG":
                if pixels.mode not in _JPEG_MODES:
                    pixels = _on_white(pixels)
                pixels.info = {}  # no EXIF, ICC, XMP, comment…
                pixels.save(output, "JPEG", quality=90)
            else:
                if pixels.mode not in _PNG_MODES:
                    pixels = pixels.convert("RGBA")
                transparency = pixels.info.get("transparency")
                pixels.info = {} if transparency is None else {"transparency": transparency}
                pixels.save(output, "PNG", optimize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(label) from None
    except Exception:
        raise corrupt from None
    finally:
        _DECODING.release()
    content = output.getvalue()
    if _HTML_MARKERS.search(content):  # pixels crafted to spell HTML once compressed
        raise _polyglot(label)
    return content


def _number(count: int) -> str:
    return f"{count:,}".replace(",", " ")


def _max_pixels() -> int:
    """UPLOAD_MAX_PIXELS, or Pillow's own bomb threshold if lower (whatever the warnings
    filters do with Pillow's DecompressionBombWarning, the image is refused)."""
    pillow = Image.MAX_IMAGE_PIXELS
    return settings.UPLOAD_MAX_PIXELS if pillow is None else min(settings.UPLOAD_MAX_PIXELS, pillow)


def _too_many_pixels(label: str, size: str = "") -> UploadRefused:
    maximum = _max_pixels()
    millions, rest = divmod(maximum, 1_000_000)
    if millions and not rest:
        limit = f"{_number(millions)} million{'s' if millions > 1 else ''} de pixels"
    else:
        limit = f"{_number(maximum)} pixels"
    measured = f" ({size})" if size else ""
    return _refused(
        label,
        f"l'image est trop grande{measured} ; elle doit compter au plus {limit}. "
        "Réduisez-la puis déposez-la à nouveau.",
        "too_many_pixels",
    )


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says (in place: no second copy of the
    pixels in memory)."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # a damaged EXIF block: keep the pixels as they are
        logger.info("Orientation EXIF illisible, ignorée.")
    return image


def _on_white(image: Image.Image) -> Image.Image:
    """An RGB image, transparent areas painted white (what JPEG can store)."""
    if image.mode in {"RGBA", "LA", "PA", "P"} or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


# --- Storing ------------------------------------------------------------------------------


def _root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def _private_dir(path: Path) -> None:
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)  # whatever the umask


def _sync_dir(path: Path) -> None:
    """Make a rename in `path` durable (best effort: not every system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def store(clean: CleanUpload) -> str:
    """Store a checked file; return its server-made name "<uuid4 hex>.<ext>".

    The file is durable before the transaction that records it commits: written to
    PRIVATE_MEDIA_ROOT/incoming/, fsynced, renamed into PRIVATE_MEDIA_ROOT/ and the
    folder fsynced, all now. A process killed after the commit therefore never leaves a
    row without its bytes. A rolled-back transaction leaves a file no row names:
    `purge_orphans` removes it once old enough.
    """
    if clean.extension not in KINDS:
        raise ValueError(f"Extension non prévue : {clean.extension!r}")
    name = f"{uuid.uuid4().hex}.{clean.extension}"
    root = _root()
    incoming = root / INCOMING
    _private_dir(root)
    _private_dir(incoming)
    pending = incoming / name
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(pending, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(clean.content)
            out.flush()
            os.fsync(out.fileno())
        _move_into_place(pending, root / name)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    return name


def _move_into_place(pending: Path, final: Path) -> None:
    os.replace(pending, final)
    _sync_dir(final.parent)


def referenced_names() -> set[str]:
    """The stored names every model with a `stored_name` field holds (the rows that own
    a file: dossier pieces, evidence…)."""
    from django.apps import apps

    names: set[str] = set()
    for model in apps.get_models():
        if any(field.name == "stored_name" for field in model._meta.fields):
            names.update(model._default_manager.values_list("stored_name", flat=True))
    return names


def purge_orphans(older_than: dt.timedelta, referenced: set[str] | None = None) -> int:
    """Reconcile the private folder with the database, in both directions:

    - a file in incoming/ that a row names (left there by an earlier version, which
      moved files only after the commit) is moved into place, never deleted;
    - a file, in incoming/ or in place, that no row names and older than `older_than`
      (a rolled-back upload; choose it far longer than any transaction) is removed.

    Returns how many files were removed."""
    if older_than < dt.timedelta(0):
        raise ValueError("older_than doit être positif.")
    root = _root()
    if not root.is_dir():
        return 0
    referenced = referenced_names() if referenced is None else referenced
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for folder in (root / INCOMING, root):
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                if not STORED_NAME.fullmatch(entry.name) or not entry.is_file(
                    follow_symlinks=False
                ):
                    continue
                try:
                    if entry.name in referenced:
                        if folder != root:
                            _move_into_place(Path(entry.path), root / entry.name)
                            logger.warning("Fichier %s remis en place.", entry.name)
                        continue
                    if entry.stat(follow_symlinks=False).st_mtime > cutoff:
                        continue
                    os.unlink(entry.path)
                except FileNotFoundError:
                    continue  # removed meanwhile
                removed += 1
    if removed:
        logger.info("%d fichier(s) orphelin(s) retiré(s) de %s.", removed, root)
    return removed


def delete_stored(name: str) -> None:
    """Delete a stored file when the current transaction commits (a rolled-back
    deletion keeps the file). Raises ValueError for a name `store` cannot have made."""
    path = stored_path(name)
    transaction.on_commit(partial(path.unlink, missing_ok=True))


def stored_path(name: str) -> Path:
    """The path of a stored file; ValueError unless `name` is one `store` could have
    made ("<32 lowercase hex>.pdf|jpg|png|zip") and its path stays inside the root."""
    if not isinstance(name, str) or not STORED_NAME.fullmatch(name):
        raise ValueError(f"Nom de fichier stocké invalide : {name!r}")
    root = _root().resolve()
    path = root / name
    if not path.resolve().is_relative_to(root):
        raise ValueError(f"Nom de fichier stocké invalide : {name!r}")
    return path


# --- Serving ------------------------------------------------------------------------------


def file_response(name: str, display_name: str, content_type: str) -> FileResponse:
    """A stored file as a download no browser will render or cache.

    The calling view checks access first. Raises ValueError for an invalid name or a
    content type that does not match it, Http404 when the file is missing.
    """
    path = stored_path(name)
    extension = name.rsplit(".", 1)[1]
    if content_type != KINDS[extension][0]:
        raise ValueError(f"Type {content_type!r} incohérent avec {name!r}")
    # Made safe again: the name comes from the database, but a header is no place to trust.
    shown = "".join(c for c in _basename(display_name) if not _is_forbidden_char(c))
    stem = shown.rpartition(".")[0] if "." in shown else shown
    try:
        handle = path.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("Ce document est introuvable.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_display_name(stem, extension),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
