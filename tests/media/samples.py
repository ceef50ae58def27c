"""Small files of every accepted type (their real signatures), and hostile look-alikes."""

from __future__ import annotations

import hashlib

PAYLOAD = bytes(range(256)) * 4

SAMPLES: dict[str, bytes] = {
    "video/mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + PAYLOAD,
    "video/webm": (
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
        b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + PAYLOAD
    ),
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x00" + PAYLOAD,
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + PAYLOAD,
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + PAYLOAD,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PAYLOAD,
    "image/webp": b"RIFF\x24\x04\x00\x00WEBPVP8 " + PAYLOAD,
}
EXTENSIONS = {
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "audio/mpeg": ".mp3",
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}
MP3_FRAME = b"\xff\xfb\x90\x64" + PAYLOAD
PDF = SAMPLES["application/pdf"]
PNG = SAMPLES["image/png"]
MP4 = SAMPLES["video/mp4"]

# name: (the type declared, the bytes sent)
HOSTILE: dict[str, tuple[str, bytes]] = {
    "svg": ("image/png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "html": ("application/pdf", b"<!DOCTYPE html><script>alert(1)</script>"),
    "html polyglot carrying a PNG": ("image/png", b"<html><script>alert(1)</script>" + PNG),
    "text before a PDF header": ("application/pdf", b" \n" + PDF),
    "utf-16 text": ("audio/mpeg", "<script>".encode("utf-16")),
    "matroska, not webm": ("video/webm", SAMPLES["video/webm"].replace(b"webm", b"mkvx")),
    "a PDF declared as a video": ("video/mp4", PDF),
    "zeros": ("image/jpeg", b"\x00" * 64),
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
