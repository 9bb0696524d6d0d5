"""Shapefile attribute encodings: honour ``.cpg``, otherwise detect GBK/GB18030 vs UTF-8.

Legacy Chinese shapefiles are GBK (CP936) and often come without a ``.cpg``; GDAL then
reads them as Latin-1 and the names come out garbled. This module reads the raw bytes of
the DBF's text fields (and field names) and decides:

- only ASCII bytes -> ``ascii`` (any encoding reads them the same);
- valid UTF-8 (necessarily with multibyte sequences) -> ``utf-8``;
- otherwise decodes as GBK / GB18030 with CJK characters -> ``gbk`` / ``gb18030``;
- otherwise -> undetected.

A value cut mid-character by the DBF field width is accepted (the last, incomplete
character is ignored), since DBF text fields are fixed-width byte arrays.
"""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lifecircle.errors import InputError, Note, notice

#: Bytes of DBF records read for detection (the whole file for any realistic city layer).
MAX_SCAN_BYTES = 32 * 1024 * 1024

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")

#: Encodings that decode the bytes of Chinese text (GB family).
GB_FAMILY = ("gbk", "gb18030", "gb2312", "cp936")


@dataclass(frozen=True)
class Choice:
    """The encoding chosen for one shapefile and why.

    Attributes
    ----------
    encoding
        Python codec name passed to pyogrio (``None``: let GDAL decide, used for ASCII).
    label
        What to report: ``utf-8``, ``gbk``, ``gb18030``, ``ascii`` or a codec name.
    source
        ``project`` (set in the project file), ``cpg`` (from the ``.cpg``), ``detected``
        (from the DBF bytes, no ``.cpg``), ``corrected`` (the ``.cpg`` contradicted the
        bytes) or ``default`` (nothing to go on).
    warning
        A message for the user, or empty.
    sample
        A decoded non-ASCII sample value (shown in warnings and ``inspect``).
    """

    encoding: str | None
    label: str
    source: str
    warning: str = ""
    sample: str = ""


@dataclass(frozen=True)
class DbfField:
    """One DBF field descriptor."""

    name_bytes: bytes
    type: str
    length: int


def parse_dbf(data: bytes) -> tuple[list[DbfField], list[bytes]]:
    """Parse a DBF file's field descriptors and the raw values of its text fields.

    Parameters
    ----------
    data
        The DBF bytes (possibly only the first :data:`MAX_SCAN_BYTES`).

    Returns
    -------
    fields, values
        The field descriptors and the non-blank raw values of the character fields.

    Raises
    ------
    ValueError
        When the bytes are not a DBF file.
    """
    if len(data) < 32:
        raise ValueError("too short for a DBF header")
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    if header_len < 33 or record_len < 1:
        raise ValueError("invalid DBF header")
    fields: list[DbfField] = []
    pos = 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        desc = data[pos:pos + 32]
        fields.append(DbfField(desc[:11].split(b"\x00", 1)[0], chr(desc[11]), desc[16]))
        pos += 32
    values: list[bytes] = []
    offsets = []
    off = 1  # deletion flag
    for f in fields:
        offsets.append((off, f.length, f.type in ("C", "M") and f.length > 0))
        off += f.length
    end = min(len(data), header_len + n_records * record_len)
    for rec in range(header_len, end - record_len + 1, record_len):
        for o, length, is_text in offsets:
            if is_text:
                raw = data[rec + o:rec + o + length].rstrip(b" \x00")
                if raw:
                    values.append(raw)
    return fields, values


def _decodes(raw: bytes, codec: str) -> str | None:
    """Decode allowing an incomplete last character (field-width cut); None if invalid."""
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        pass
    try:
        return codecs.getincrementaldecoder(codec)().decode(raw, final=False)
    except UnicodeDecodeError:
        return None


def detect(values: Iterable[bytes]) -> tuple[str | None, str]:
    """Detect the encoding of raw text values.

    Parameters
    ----------
    values
        Raw byte strings (DBF text values and field names).

    Returns
    -------
    label, sample
        ``ascii``, ``utf-8``, ``gbk``, ``gb18030`` or ``None`` (undetected), and a decoded
        non-ASCII sample (empty for ``ascii``).
    """
    non_ascii = _non_ascii(values)
    if not non_ascii:
        return "ascii", ""
    decoded = [_decodes(v, "utf-8") for v in non_ascii]
    if all(d is not None for d in decoded):
        return "utf-8", _sample(decoded)
    for codec in ("gbk", "gb18030"):
        decoded = [_decodes(v, codec) for v in non_ascii]
        if all(d is not None for d in decoded):
            text = "".join(d for d in decoded if d)
            if _CJK.search(text):
                return codec, _sample(decoded)
    return None, ""


def _non_ascii(values: Iterable[bytes]) -> list[bytes]:
    """The distinct values holding non-ASCII bytes, in first-seen order."""
    return list(dict.fromkeys(v for v in values if not v.isascii()))


def _sample(decoded: Sequence[str | None]) -> str:
    for d in decoded:
        if d and _CJK.search(d):
            return d
    return next((d for d in decoded if d), "")


def normalise_codec(name: str) -> str | None:
    """Python codec name for a ``.cpg`` or project encoding value, or None if unknown.

    Handles code page numbers (``936``, ``65001``, ``ANSI 936``, ``88591``) as written by
    ArcGIS and GDAL.
    """
    text = name.strip().strip("\ufeff").strip().lower().replace("_", "-")
    text = re.sub(r"^(ansi|oem|cp|windows-|windows)\s*(?=\d)", "", text)
    aliases = {"65001": "utf-8", "utf8": "utf-8", "936": "gbk", "cp936": "gbk",
               "54936": "gb18030", "88591": "latin-1", "8859-1": "latin-1",
               "iso88591": "latin-1", "950": "big5", "1252": "cp1252", "20936": "gb2312"}
    text = aliases.get(text.replace(" ", ""), text)
    if text.isdigit():
        text = f"cp{text}"
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def label_of(codec: str) -> str:
    """Short report label of a Python codec name (``gbk``, ``utf-8``, ...)."""
    name = codecs.lookup(codec).name
    return {"utf_8": "utf-8", "iso8859-1": "latin-1"}.get(name, name)


def _fits(codec: str, detected: str | None) -> bool:
    """Whether bytes detected as ``detected`` are read correctly with ``codec``."""
    name = label_of(codec)
    if detected == "utf-8":
        return name == "utf-8"
    if detected in ("gbk", "gb18030"):
        return name in ("gbk", "gb18030", "gb2312")
    return True  # ASCII or undetected bytes: nothing to contradict


def choose(values: Sequence[bytes], *, cpg: str | None, project: str | None,
           where: str, cpg_name: str = ".cpg") -> Choice:
    """Choose the encoding of a shapefile from its raw text, ``.cpg`` and project setting.

    Parameters
    ----------
    values
        Raw DBF text values and field names (see :func:`parse_dbf`).
    cpg
        Contents of the ``.cpg`` file, or None when there is none.
    project
        The encoding set in the project file (``LayerSpec.encoding``), or None.
    where
        The file named in messages.
    cpg_name
        The ``.cpg`` file named in messages.

    Returns
    -------
    Choice

    Raises
    ------
    ValueError
        When the project's encoding cannot decode the bytes (the names would be garbled);
        the message names the file, the detected encoding and the fix.
    """
    non_ascii = _non_ascii(values)
    detected, sample = detect(non_ascii)
    if project:
        codec = normalise_codec(project)
        if codec is None:
            raise notice(InputError, "err.read.encoding", path=where, value=repr(project))
        bad = next((v for v in non_ascii if _decodes(v, codec) is None), None)
        if bad is not None:
            found = (detected, detected) if detected else ("非 GBK 或 UTF-8",
                                                           "not GBK or UTF-8")
            example = repr(sample) if detected and sample else repr(bad)
            raise notice(InputError, "err.enc.contradicts", path=where, value=repr(project),
                         found=found, example=example, detected=detected or "auto")
        return Choice(codec, label_of(codec), "project", sample=sample)
    if cpg is not None and cpg.strip():
        codec = normalise_codec(cpg)
        if codec is not None:
            ok = all(_decodes(v, codec) is not None for v in non_ascii)
            if ok and _fits(codec, detected):
                return Choice(codec, label_of(codec), "cpg", sample=sample)
            if detected not in (None, "ascii"):
                up = detected.upper()
                warning = Note("warn.enc.cpg_wrong", cpg_name=cpg_name,
                               cpg=repr(cpg.strip()), up=up, sample=repr(sample),
                               detected=detected)
                return Choice(detected, detected, "corrected", warning, sample)
            return Choice(codec, label_of(codec), "cpg",
                          Note("warn.enc.cpg_partial", cpg_name=cpg_name,
                               cpg=repr(cpg.strip())) if not ok else "", sample)
        if detected is None:
            raise notice(InputError, "err.enc.cpg_unknown", cpg_name=cpg_name,
                         cpg=repr(cpg.strip()))
        if detected != "ascii":
            return Choice(detected, detected, "corrected",
                          Note("warn.enc.cpg_unknown", cpg_name=cpg_name,
                               cpg=repr(cpg.strip()), up=detected.upper(),
                               sample=repr(sample)), sample)
    if detected == "ascii":
        return Choice(None, "ascii", "detected" if cpg is None else "cpg")
    if detected is not None:
        return Choice(detected, detected, "detected", sample=sample)
    return Choice(None, "latin-1", "default", Note("warn.enc.latin1", where))
