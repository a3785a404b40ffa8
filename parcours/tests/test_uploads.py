"""Uploaded documents: checked, stored and served as the security guide says ("Uploads",
"Reliability"). Every test file is built in memory; the private root is a per-test
temporary folder (root conftest.py)."""

import base64
import datetime as dt
import hashlib
import io
import os
import re
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)
from django.db import transaction
from django.http import Http404
from PIL import Image, ImageFile, PngImagePlugin

from parcours import uploads
from parcours.tests.files import make_pdf
from parcours.uploads import UploadRefused, clean_upload

STORED = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png)")


# --- Building files ---------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def image_bytes(image_format: str, size=(32, 24), mode="RGB", color="teal", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, image_format, **save)
    return buffer.getvalue()


def png(**kwargs) -> bytes:
    return image_bytes("PNG", **kwargs)


def jpeg(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def object_stream(body: bytes) -> bytes:
    """An object stream holding `body` as object 9 (what PDF 1.5+ writers make)."""
    header = b"9 0 "
    return header + body


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int, full: bool = True) -> bytes:
    """A 1-bit greyscale PNG of `width` × `height` blank pixels: a few kilobytes that
    would decode to millions of pixels (or, if not `full`, only its header)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = (b"\x00" + bytes((width + 7) // 8)) * height if full else b"\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows, 9))
        + png_chunk(b"IEND", b"")
    )


def refusal(name: str, content: bytes) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        clean_upload(upload(name, content))
    return caught.value


def assert_refused(error: UploadRefused, code: str, label: str) -> None:
    assert error.code == code, error.message
    assert error.message.startswith(f"« {label} » : "), error.message


# --- Accepted files ----------------------------------------------------------------------


def test_a_valid_pdf_is_accepted_unchanged():
    content = make_pdf()
    clean = clean_upload(upload("Attestation France Travail.pdf", content))
    assert clean.content == content
    assert (clean.extension, clean.content_type) == ("pdf", "application/pdf")
    assert clean.display_name == "Attestation France Travail.pdf"
    assert clean.size == len(content)
    assert clean.sha256 == hashlib.sha256(content).hexdigest()


def test_a_valid_jpeg_is_accepted_and_reencoded():
    clean = clean_upload(upload("PHOTO.JPEG", jpeg(size=(40, 30))))
    assert (clean.extension, clean.content_type) == ("jpg", "image/jpeg")
    assert clean.display_name == "PHOTO.jpg"
    with Image.open(io.BytesIO(clean.content)) as image:
        assert (image.format, image.size) == ("JPEG", (40, 30))
    assert clean.size == len(clean.content)
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()


def test_a_valid_png_is_accepted_and_keeps_its_transparency():
    clean = clean_upload(upload("signature.png", png(mode="RGBA", color=(0, 0, 0, 0))))
    assert (clean.extension, clean.content_type) == ("png", "image/png")
    with Image.open(io.BytesIO(clean.content)) as image:
        assert (image.format, image.mode) == ("PNG", "RGBA")
        assert image.getpixel((0, 0)) == (0, 0, 0, 0)


def test_a_palette_png_with_a_transparent_colour_is_accepted():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=1)
    clean = clean_upload(upload("logo.png", buffer.getvalue()))
    with Image.open(io.BytesIO(clean.content)) as stored:
        assert stored.mode == "P"
        assert stored.info.get("transparency") == 1


def jpeg_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "S", 2: (21.0, 8.0, 30.0), 3: "E", 4: (55.0, 32.0, 10.0)}  # GPS
    return jpeg(size=(40, 30), exif=exif.tobytes())


def test_a_jpeg_with_gps_exif_is_stored_without_any_exif():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:  # the test photo does carry a position
        assert image.getexif().get_ifd(0x8825)
    clean = clean_upload(upload("photo.jpg", original))
    assert b"Exif" not in clean.content
    assert b"PhoneMaker" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert not image.getexif()
        assert "exif" not in image.info


def test_the_exif_orientation_is_applied_before_it_is_stripped():
    clean = clean_upload(upload("portrait.jpg", jpeg_with_gps(orientation=6)))  # 90° turn
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.size == (30, 40)


def test_png_text_metadata_is_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jean Dupont, 12 rue des Lilas")
    clean = clean_upload(upload("scan.png", png(pnginfo=info)))
    assert b"Jean Dupont" not in clean.content
    assert b"tEXt" not in clean.content


def test_a_trailing_payload_that_is_not_html_is_dropped_by_reencoding():
    original = png()
    payload = b"PK\x03\x04" + b"not a picture: an appended archive" * 10
    clean = clean_upload(upload("photo.png", original + payload))
    assert b"appended archive" not in clean.content
    assert clean.content.endswith(png_chunk(b"IEND", b""))
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.size == (32, 24)


@pytest.mark.parametrize(
    ("name", "display"),
    [
        ("scan 12.03.2024.pdf", "scan 12.03.2024.pdf"),
        ("CV.Dupont.Jean.PDF", "CV.Dupont.Jean.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\cv.pdf", "cv.pdf"),
        ("C:\\Users\\jean\\Documents\\diplôme.pdf", "diplôme.pdf"),
        ("re\u0301sume\u0301.pdf", "résumé.pdf"),  # macOS sends decomposed accents
        (".pdf", "document.pdf"),
        (" cv.pdf ", "cv.pdf"),
    ],
)
def test_display_names_are_basenames_with_the_detected_extension(name, display):
    assert clean_upload(upload(name, make_pdf())).display_name == display


def test_path_components_are_dropped_even_when_django_did_not_strip_them():
    uploaded = upload("passwd.pdf", make_pdf())
    uploaded._name = "../../etc/passwd.pdf"  # as a non-Django caller might hand it over
    assert clean_upload(uploaded).display_name == "passwd.pdf"


@pytest.mark.parametrize(
    ("memory_size", "handler_class"),
    [(6 * 1024 * 1024, InMemoryUploadedFile), (0, TemporaryUploadedFile)],
)
def test_files_parsed_from_a_real_multipart_request_are_checked(
    rf, settings, memory_size, handler_class
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_size  # 0: spooled to a temporary file
    request = rf.post("/", {"piece": upload("..\\..\\Mes documents\\photo.png", png())})
    uploaded = request.FILES["piece"]
    try:
        assert isinstance(uploaded, handler_class)
        uploaded.read(5)  # a form may have looked at it already
        clean = clean_upload(uploaded)
    finally:
        uploaded.close()
    assert (clean.display_name, clean.extension) == ("photo.png", "png")


def test_a_long_name_is_cut_to_100_characters_keeping_its_extension():
    clean = clean_upload(upload("a" * 150 + ".jpeg", jpeg()))
    assert len(clean.display_name) == 100
    assert clean.display_name == "a" * 96 + ".jpg"


# --- The bad-upload corpus of the security guide ----------------------------------------


def test_html_named_pdf_is_refused():
    error = refusal("cv.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script>")
    assert_refused(error, "bad_content", "cv.pdf")
    assert "PDF" in error.message


def test_an_html_file_is_refused_by_its_extension():
    error = refusal("cv.html", b"<html><body>Bonjour</body></html>")
    assert_refused(error, "bad_extension", "cv.html")
    assert error.message == "« cv.html » : seuls les fichiers PDF, JPEG et PNG sont acceptés."


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b'<rect width="10" height="10"/></svg>'
)


def test_svg_named_svg_is_refused():
    assert_refused(refusal("dessin.svg", SVG), "bad_extension", "dessin.svg")


def test_svg_named_png_is_refused():
    error = refusal("photo.png", SVG)
    assert_refused(error, "bad_content", "photo.png")
    assert "n'est pas un PNG valide" in error.message


def test_a_png_html_polyglot_is_refused():
    polyglot = png() + b"<html><script>fetch('/admin/')</script></html>"
    error = refusal("photo.png", polyglot)
    assert_refused(error, "polyglot", "photo.png")
    assert "code HTML caché" in error.message


def test_a_jpeg_html_polyglot_is_refused():
    polyglot = jpeg() + b"<SCRIPT >alert(document.cookie)</SCRIPT>"
    assert_refused(refusal("photo.jpg", polyglot), "polyglot", "photo.jpg")


class CountingBytesIO(io.BytesIO):
    """Records how many bytes were read."""

    bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_an_oversized_file_is_refused_on_its_declared_size_without_reading_it(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    uploaded = upload("gros.pdf", b"")
    uploaded.file = CountingBytesIO(make_pdf() + b"%" * 10_000)
    uploaded.size = len(uploaded.file.getvalue())
    with pytest.raises(UploadRefused) as caught:
        clean_upload(uploaded)
    assert_refused(caught.value, "too_large", "gros.pdf")
    assert "1 Ko" in caught.value.message
    assert uploaded.file.bytes_read == 0


def test_a_file_lying_about_its_size_is_read_only_up_to_the_cap_plus_one(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    uploaded = upload("gros.pdf", b"")
    uploaded.file = CountingBytesIO(make_pdf() + b"%" * 100_000)
    uploaded.size = 10  # what a client (or a buggy handler) claims
    with pytest.raises(UploadRefused) as caught:
        clean_upload(uploaded)
    assert_refused(caught.value, "too_large", "gros.pdf")
    assert uploaded.file.bytes_read == 1025


def test_a_file_exactly_at_the_cap_is_accepted(settings):
    content = png()
    settings.UPLOAD_MAX_BYTES = len(content)
    assert clean_upload(upload("photo.png", content)).extension == "png"
    settings.UPLOAD_MAX_BYTES = len(content) - 1
    assert_refused(refusal("photo.png", content), "too_large", "photo.png")


def test_the_size_is_given_in_megabytes_in_french(settings):
    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    uploaded = upload("scan.pdf", make_pdf())
    uploaded.size = 6 * 1024 * 1024  # as declared by the upload handler
    with pytest.raises(UploadRefused) as caught:
        clean_upload(uploaded)
    assert caught.value.message == ("« scan.pdf » : le fichier dépasse la taille maximale de 5 Mo.")


@pytest.mark.django_db(transaction=True)
def test_a_path_traversal_name_is_stored_under_a_uuid():
    clean = clean_upload(upload("../../etc/passwd.pdf", make_pdf()))
    name = uploads.store(clean)
    assert STORED.fullmatch(name)
    assert "passwd" not in name
    assert uploads.stored_path(name).read_bytes() == clean.content


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("cv\x00.pdf", "cv.pdf"),
        ("cv.pdf\x00.html", "cv.pdf.html"),
        ("cv\n.pdf", "cv.pdf"),
        ("cv\x1b[31m.pdf", "cv[31m.pdf"),
        ("cv\u202efdp.pdf", "cvfdp.pdf"),  # right-to-left override: shows "cvfdp.pdf" reversed
        ("cv\u200b.pdf", "cv.pdf"),  # zero-width space
    ],
)
def test_control_and_invisible_characters_in_the_name_are_refused(name, label):
    error = refusal(name, make_pdf())
    assert_refused(error, "bad_name", label)
    assert "caractères interdits" in error.message


@pytest.mark.parametrize(
    ("name", "inner"),
    [
        ("cv.html.pdf", "html"),
        ("photo.PHP.jpg", "PHP"),
        ("scan.svg.png", "svg"),
        ("lettre.exe.pdf", "exe"),
        ("a.b.js.pdf", "js"),
        ("cv.html .pdf", "html"),
    ],
)
def test_a_dangerous_double_extension_is_refused(name, inner):
    content = jpeg() if name.endswith(".jpg") else png() if name.endswith(".png") else make_pdf()
    error = refusal(name, content)
    assert_refused(error, "double_extension", name)
    assert f"(.{inner})" in error.message


@pytest.mark.parametrize(
    "name", ["cv", "cv.html", "photo.gif", "photo.heic", "cv.pdf.exe", "cv.pdf.", "cv.pdf_"]
)
def test_other_extensions_are_refused(name):
    error = refusal(name, make_pdf())
    assert error.code == "bad_extension", error.message
    assert "seuls les fichiers PDF, JPEG et PNG sont acceptés" in error.message


@pytest.mark.parametrize(
    ("name", "content_of"),
    [("photo.png", "jpeg"), ("photo.jpg", "png"), ("cv.pdf", "png"), ("photo.png", "pdf")],
)
def test_the_magic_bytes_must_agree_with_the_extension(name, content_of):
    content = {"jpeg": jpeg, "png": png, "pdf": make_pdf}[content_of]()
    assert_refused(refusal(name, content), "bad_content", name)


def test_a_pdf_must_start_with_its_header_at_offset_zero():
    assert_refused(refusal("cv.pdf", b"\n" + make_pdf()), "bad_content", "cv.pdf")
    assert_refused(refusal("cv.pdf", b"%PDFX" + make_pdf()[5:]), "bad_content", "cv.pdf")


JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\('Bonjour'\\);) >>"


def test_a_pdf_with_javascript_is_refused_with_a_clear_message():
    error = refusal("cv.pdf", make_pdf(JS_ACTION, catalog=b" /OpenAction 4 0 R"))
    assert_refused(error, "pdf_active_content", "cv.pdf")
    assert "contenu actif" in error.message
    assert "Enregistrer au format PDF" in error.message


@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /J#61vaScript /JS (x) >>",  # a name spelt with #xx escapes
        b"<< /JS (app.alert\\(1\\)) >>",  # the /JS key alone
        b"<< /JS 5 0 R >>",
        b"<< /J#53<6170702e616c657274283129> >>",
        b"<< /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>",
        b"<< /Type /EmbeddedFile >>",
        b"<< /EmbeddedFiles << /Names [(x.exe) 5 0 R] >> >>",
        b"<< /S /SubmitForm /F (https://example.org/) >>",
        b"<< /RichMedia 5 0 R >>",
        b"<< /XFA 5 0 R >>",
    ],
)
def test_a_pdf_with_active_or_embedded_content_is_refused(action):
    error = refusal("dossier.pdf", make_pdf(action, catalog=b" /OpenAction 4 0 R"))
    assert_refused(error, "pdf_active_content", "dossier.pdf")


def a85(data: bytes) -> bytes:
    return base64.a85encode(data, wrapcol=72) + b"~>"


@pytest.mark.parametrize(
    ("encode", "filters"),
    [
        (zlib.compress, b"/FlateDecode"),
        (lambda data: data.hex().encode() + b">", b"/ASCIIHexDecode"),
        (a85, b"/ASCII85Decode"),
        (lambda data: a85(zlib.compress(data)), b"[/ASCII85Decode /FlateDecode]"),
    ],
)
def test_javascript_hidden_in_an_encoded_object_stream_is_refused(encode, filters):
    hidden = stream(
        encode(object_stream(JS_ACTION)), b"/Type /ObjStm /N 1 /First 4 /Filter " + filters
    )
    error = refusal("cv.pdf", make_pdf(hidden, catalog=b" /OpenAction 9 0 R"))
    assert_refused(error, "pdf_active_content", "cv.pdf")


def test_a_pdf_whose_streams_inflate_beyond_the_budget_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 16 * 1024  # budget: 32 times that, decompressed
    bomb = stream(zlib.compress(b"0" * 2_000_000, 9), b"/Filter /FlateDecode")
    error = refusal("bombe.pdf", make_pdf(bomb))
    assert_refused(error, "pdf_complex", "bombe.pdf")


@pytest.mark.parametrize(
    "harmless",
    [
        b"<< /Type /Action /S /GoTo /D [3 0 R /Fit] >>",  # what LaTeX's hyperref opens with
        b"<< /Title (D\\351veloppeur HTML/JS et /JSON) /Author (Jean) >>",
        stream(b"\x89binary /JS (not a key: image data) \x00\xff", b"/Subtype /Image"),
        stream(zlib.compress(b"BT /F1 12 Tf (HTML/JS) Tj ET"), b"/Filter /FlateDecode"),
    ],
)
def test_harmless_pdfs_are_not_mistaken_for_active_content(harmless):
    content = make_pdf(harmless, catalog=b" /OpenAction [3 0 R /Fit]")
    assert clean_upload(upload("cv.pdf", content)).content == content


def test_a_pdf_carrying_html_is_refused_as_a_polyglot():
    polyglot = make_pdf(stream(b"<html><script>alert(1)</script></html>"))
    assert_refused(refusal("cv.pdf", polyglot), "polyglot", "cv.pdf")
    svg = make_pdf(stream(b'<svg onload="alert(1)">'))
    assert_refused(refusal("cv.pdf", svg), "polyglot", "cv.pdf")


def test_a_truncated_pdf_is_refused():
    error = refusal("cv.pdf", make_pdf()[:-40])
    assert_refused(error, "pdf_corrupt", "cv.pdf")
    assert "incomplet ou endommagé" in error.message


def test_a_decompression_bomb_is_refused_before_any_decoding(settings, monkeypatch):
    settings.UPLOAD_MAX_PIXELS = 1_000_000
    bomb = bomb_png(4000, 4000)  # 16 million pixels in a few kilobytes
    assert len(bomb) < 10_000
    decoded = []
    original_load = ImageFile.ImageFile.load

    def spying_load(image):
        decoded.append(image)
        return original_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spying_load)
    error = refusal("photo.png", bomb)
    assert_refused(error, "too_many_pixels", "photo.png")
    assert "4 000 × 4 000 pixels" in error.message
    assert "au plus 1 million de pixels" in error.message
    assert decoded == []


def test_an_image_over_pillows_own_bomb_threshold_is_refused(settings):
    settings.UPLOAD_MAX_PIXELS = 10**12  # Pillow raises DecompressionBombError first
    error = refusal("photo.png", bomb_png(30_000, 30_000, full=False))
    assert_refused(error, "too_many_pixels", "photo.png")


def test_a_header_only_image_over_the_limit_is_refused_as_too_large(settings):
    settings.UPLOAD_MAX_PIXELS = 100
    assert_refused(refusal("photo.png", png(size=(11, 10))), "too_many_pixels", "photo.png")
    assert clean_upload(upload("photo.png", png(size=(10, 10)))).extension == "png"


@pytest.mark.parametrize("name", ["vide.pdf", "vide.png", "vide"])
def test_a_zero_byte_file_is_refused(name):
    error = refusal(name, b"")
    assert_refused(error, "empty", name)
    assert error.message == f"« {name} » : le fichier est vide."


def test_a_truncated_jpeg_is_refused():
    content = jpeg(size=(200, 150), color="orange", quality=95)
    error = refusal("photo.jpg", content[: len(content) // 2])
    assert_refused(error, "image_corrupt", "photo.jpg")
    assert "illisible ou endommagée" in error.message


def test_a_jpeg_that_is_only_a_signature_is_refused():
    error = refusal("photo.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 50)
    assert_refused(error, "image_corrupt", "photo.jpg")


def test_a_png_with_a_broken_checksum_is_refused():
    content = bytearray(png())
    content[29] ^= 0xFF  # inside the IHDR checksum
    assert_refused(refusal("photo.png", bytes(content)), "image_corrupt", "photo.png")


def test_refusals_are_validation_errors_usable_by_forms():
    from django.core.exceptions import ValidationError

    error = refusal("cv.html", b"<html>")
    assert isinstance(error, ValidationError)
    assert error.messages == ["« cv.html » : seuls les fichiers PDF, JPEG et PNG sont acceptés."]


# --- Storing -----------------------------------------------------------------------------


def clean_pdf():
    return clean_upload(upload("cv.pdf", make_pdf()))


def incoming_files(root):
    folder = root / "incoming"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.django_db(transaction=True)
def test_store_outside_a_transaction_moves_the_file_at_once(private_media):
    clean = clean_pdf()
    name = uploads.store(clean)
    assert STORED.fullmatch(name) and name.endswith(".pdf")
    final = private_media / name
    assert final.read_bytes() == clean.content
    assert incoming_files(private_media) == []
    assert final.stat().st_mode & 0o777 == 0o600
    assert private_media.stat().st_mode & 0o777 == 0o700
    assert (private_media / "incoming").stat().st_mode & 0o777 == 0o700


@pytest.mark.django_db(transaction=True)
def test_store_makes_the_file_durable_before_the_commit(private_media):
    """A process killed after the commit must not leave a row whose bytes sit in
    incoming/ (purged a day later): the file is in place before the commit."""
    with transaction.atomic():
        name = uploads.store(clean_pdf())
        assert (private_media / name).exists()
        assert incoming_files(private_media) == []
    assert (private_media / name).read_bytes() == clean_pdf().content


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_store_leaves_an_orphan_that_is_purged(private_media):
    with pytest.raises(RuntimeError), transaction.atomic():
        name = uploads.store(clean_pdf())
        raise RuntimeError("the dossier could not be saved")

    assert uploads.purge_orphans(dt.timedelta(hours=1)) == 0  # too recent: maybe in flight
    two_hours_ago = time.time() - 2 * 3600
    os.utime(private_media / name, (two_hours_ago, two_hours_ago))
    assert uploads.purge_orphans(dt.timedelta(hours=1)) == 1
    assert list(private_media.glob("*.pdf")) == []


@pytest.mark.django_db(transaction=True)
def test_the_purge_never_removes_a_file_a_row_names_and_puts_a_stray_one_back(private_media):
    kept = uploads.store(clean_pdf())
    # What the earlier version left after a crash between commit and move.
    stray = "f" * 32 + ".pdf"
    (private_media / "incoming").mkdir(exist_ok=True)
    (private_media / "incoming" / stray).write_bytes(b"%PDF-1.4")
    old = time.time() - 10 * 86400
    for path in (private_media / kept, private_media / "incoming" / stray):
        os.utime(path, (old, old))

    removed = uploads.purge_orphans(dt.timedelta(hours=1), referenced={kept, stray})

    assert removed == 0
    assert (private_media / kept).exists() and (private_media / stray).exists()
    assert incoming_files(private_media) == []


def test_purge_orphans_without_any_folder_removes_nothing():
    assert uploads.purge_orphans(dt.timedelta(days=1), referenced=set()) == 0
    with pytest.raises(ValueError):
        uploads.purge_orphans(dt.timedelta(seconds=-1), referenced=set())


@pytest.mark.django_db(transaction=True)
def test_purge_orphans_leaves_foreign_files_alone(private_media):
    with pytest.raises(RuntimeError), transaction.atomic():
        uploads.store(clean_pdf())
        raise RuntimeError
    (private_media / "incoming").mkdir(exist_ok=True)
    (private_media / "incoming" / "README").write_text("notes")
    (private_media / "notes.txt").write_text("notes")
    assert uploads.purge_orphans(dt.timedelta(0)) == 1
    assert incoming_files(private_media) == ["README"]
    assert (private_media / "notes.txt").exists()


@pytest.mark.django_db(transaction=True)
def test_each_store_makes_a_new_name():
    clean = clean_pdf()
    assert uploads.store(clean) != uploads.store(clean)


@pytest.mark.django_db(transaction=True)
def test_delete_stored_deletes_on_commit_only(private_media):
    name = uploads.store(clean_pdf())
    with pytest.raises(RuntimeError), transaction.atomic():
        uploads.delete_stored(name)
        raise RuntimeError
    assert (private_media / name).exists()  # the rolled-back deletion kept it

    with transaction.atomic():
        uploads.delete_stored(name)
        assert (private_media / name).exists()
    assert not (private_media / name).exists()


def test_delete_stored_validates_the_name():
    with pytest.raises(ValueError):
        uploads.delete_stored("../settings.py")


@pytest.mark.django_db
def test_store_and_delete_in_one_transaction_leave_nothing(
    private_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        name = uploads.store(clean_pdf())
        uploads.delete_stored(name)
    assert not (private_media / name).exists()
    assert incoming_files(private_media) == []


HEX = "0123456789abcdef" * 2


@pytest.mark.parametrize(
    "name",
    [
        "../x.pdf",
        "abc.pdf",
        HEX.upper() + ".pdf",
        HEX + ".PDF",
        HEX + ".jpeg",
        HEX + ".gif",
        HEX + ".html",
        HEX + ".pdf\n",
        HEX + ".pdf/..",
        "../" + HEX + ".pdf",
        "/etc/" + HEX + ".pdf",
        HEX[:-1] + ".pdf",
        "",
        None,
    ],
)
def test_stored_path_refuses_names_store_cannot_make(name):
    with pytest.raises(ValueError):
        uploads.stored_path(name)


@pytest.mark.parametrize("extension", ["pdf", "jpg", "png"])
def test_stored_path_returns_a_path_inside_the_root(private_media, extension):
    path = uploads.stored_path(f"{HEX}.{extension}")
    assert path.parent == private_media.resolve()
    assert path.name == f"{HEX}.{extension}"


def test_stored_path_refuses_a_link_leading_out_of_the_root(private_media, tmp_path):
    private_media.mkdir()
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"%PDF-")
    (private_media / f"{HEX}.pdf").symlink_to(outside)
    with pytest.raises(ValueError):
        uploads.stored_path(f"{HEX}.pdf")


# --- Serving -----------------------------------------------------------------------------


def put(private_media, name: str, content: bytes) -> None:
    private_media.mkdir(exist_ok=True)
    (private_media / name).write_bytes(content)


def read_and_close(response) -> bytes:
    """The body of a FileResponse, its file closed (response.close() would also send
    request_finished, which touches the database)."""
    try:
        return b"".join(response.streaming_content)
    finally:
        response.file_to_stream.close()


def test_file_response_is_an_attachment_no_browser_renders_or_caches(private_media):
    content = make_pdf()
    put(private_media, f"{HEX}.pdf", content)
    response = uploads.file_response(f"{HEX}.pdf", "cv.pdf", "application/pdf")
    assert read_and_close(response) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="cv.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Length"] == str(len(content))


def test_file_response_encodes_a_non_ascii_name(private_media):
    put(private_media, f"{HEX}.jpg", jpeg())
    response = uploads.file_response(f"{HEX}.jpg", "photo d'identité.jpg", "image/jpeg")
    read_and_close(response)
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''photo%20d%27identit%C3%A9.jpg"
    )


def test_file_response_makes_the_display_name_safe_again(private_media):
    put(private_media, f"{HEX}.pdf", make_pdf())
    response = uploads.file_response(
        f"{HEX}.pdf", '../evil"\r\nSet-Cookie: x=1.html', "application/pdf"
    )
    read_and_close(response)
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.endswith('.pdf"')  # the stored type's extension, never .html


def test_file_response_raises_404_for_a_missing_file():
    with pytest.raises(Http404):
        uploads.file_response(f"{HEX}.pdf", "cv.pdf", "application/pdf")


def test_file_response_refuses_a_bad_name_or_a_mismatched_type(private_media):
    put(private_media, f"{HEX}.pdf", make_pdf())
    with pytest.raises(ValueError):
        uploads.file_response("../cv.pdf", "cv.pdf", "application/pdf")
    with pytest.raises(ValueError):
        uploads.file_response(f"{HEX}.pdf", "cv.pdf", "text/html")


@pytest.mark.django_db(transaction=True)
def test_a_file_goes_from_upload_to_download_unchanged():
    clean = clean_upload(upload("Carte d'identité.png", png()))
    name = uploads.store(clean)
    response = uploads.file_response(name, clean.display_name, clean.content_type)
    assert read_and_close(response) == clean.content


# --- PDFs read by a real parser (pypdf): every object, every filter (ASVS 5.2.2) --------


def run_length(data: bytes) -> bytes:
    """RunLengthDecode data made of one-byte literal runs: no name survives in the bytes."""
    return b"".join(b"\x00" + bytes([byte]) for byte in data) + b"\x80"


def lzw(data: bytes) -> bytes:
    from pypdf._codecs._codecs import LzwCodec

    return LzwCodec().encode(data)


@pytest.mark.parametrize(
    ("encode", "filters"),
    [(run_length, b"/RunLengthDecode"), (lzw, b"/LZWDecode")],
)
def test_javascript_in_an_object_stream_of_any_filter_is_refused(encode, filters):
    body = object_stream(JS_ACTION)
    hidden = stream(encode(body), b"/Type /ObjStm /N 1 /First 4 /Filter " + filters)
    content = make_pdf(hidden, catalog=b" /OpenAction 9 0 R")
    assert b"JavaScript" not in content

    assert_refused(refusal("cv.pdf", content), "pdf_active_content", "cv.pdf")


@pytest.mark.parametrize(
    "catalog",
    [
        b" /OpenAction << /S /URI /URI (https://example.org/piege) >>",
        b" /OpenAction 4 0 R",
        b" /AA << /WC << /S /URI /URI (https://example.org/) >> >>",
        b" /OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /URI /URI (x) >> >>",
    ],
)
def test_an_action_that_runs_by_itself_is_refused(catalog):
    uri = b"<< /S /URI /URI (https://example.org/piege) >>"
    error = refusal("cv.pdf", make_pdf(uri, catalog=catalog))
    assert_refused(error, "pdf_active_content", "cv.pdf")


def test_a_link_the_reader_clicks_is_accepted():
    link = (
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10]"
        b" /A << /S /URI /URI (https://cnam.re) >> >>"
    )
    content = make_pdf(link, catalog=b" /OpenAction << /S /GoTo /D [3 0 R /Fit] >>")
    assert clean_upload(upload("cv.pdf", content)).content == content


def test_a_pdf_the_parser_cannot_read_is_refused_in_french():
    garbage = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    error = refusal("cv.pdf", garbage)
    assert error.code in {"pdf_corrupt", "pdf_complex"}
    assert "Enregistrer au format PDF" in error.message


def test_a_password_protected_pdf_is_refused_with_its_reason():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", owner_password="secret2")
    buffer = io.BytesIO()
    writer.write(buffer)

    error = refusal("cv.pdf", buffer.getvalue())
    assert_refused(error, "pdf_encrypted", "cv.pdf")
    assert "mot de passe" in error.message


def sixteen_bit_png(width: int, height: int) -> bytes:
    """A 16-bit RGB PNG of blank pixels, compressed to a few hundred kilobytes at most."""
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    rows = zlib.compressobj(9)
    blank_row = b"\x00" + bytes(width * 6)
    body = b"".join(rows.compress(blank_row) for _ in range(height)) + rows.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def test_a_16_bit_png_counts_twice_and_is_refused_before_decoding(monkeypatch):
    """The probe's finding: 6300 × 6300 in 16 bits, 308 KB, took 7 s and 200 MB."""
    content = sixteen_bit_png(4000, 4000)  # 16 million pixels, 32 million in the budget
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(1))

    error = refusal("scan.png", content)

    assert_refused(error, "too_many_pixels", "scan.png")
    assert "4 000 × 4 000" in error.message
    assert decoded == []


def test_images_are_decoded_a_few_at_a_time(settings, monkeypatch):
    settings.UPLOAD_DECODE_WAIT_SECONDS = 0
    monkeypatch.setattr(uploads, "_DECODING", uploads.threading.BoundedSemaphore(1))
    uploads._DECODING.acquire()  # another request is decoding
    try:
        error = refusal("photo.png", png())
    finally:
        uploads._DECODING.release()

    assert_refused(error, "busy", "photo.png")
    assert clean_upload(upload("photo.png", png())).extension == "png"
