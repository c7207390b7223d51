"""The output scanner for live content: in every part of an output package (and of the packages
embedded in it), no macro, no external relationship but a hyperlink to a web page or an e-mail
address, no imported content (altChunk), no embedded object or form control, no mail merge and no
field that fetches. What a build writes is the tool's own; nothing live passes into it."""

from __future__ import annotations

import html
import io
import re
import zipfile

FETCHING = ("INCLUDETEXT", "INCLUDE", "INCLUDEPICTURE", "IMPORT", "LINK", "DDE", "DDEAUTO", "DATABASE")
_LIVE_PART = re.compile(r"vbaProject|vbaData|activeX|oleObject|macrosheet|customizations\.xml|"
                        r"attachedToolbars|afchunk", re.I)
_LIVE_TYPE = re.compile(rb"macroEnabled|vbaProject|vbaData|ms-office\.activeX|oleObject|macrosheet", re.I)
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_LIVE_RELATIONSHIP = re.compile(rb'Type="[^"]*/(?:vbaProject|wordVbaData|aFChunk|attachedTemplate|oleObject|'
                                rb'control|subDocument|mailMergeSource|xlMacrosheet|attachedToolbars|'
                                rb'keyMapCustomizations)"')
_LIVE_ELEMENT = re.compile(rb"<(?:w:altChunk|w:attachedTemplate|w:mailMerge|o:OLEObject|w:control|"
                           rb"w:subDoc)\b|<a:blip\b[^>]*\br:link=")
_WEB = re.compile(rb'Target="(?:https?://|mailto:)')
_FIELD_CODE = re.compile(rb'<w:fldChar\b[^>]*w:fldCharType="begin"|'
                         rb"<w:(?:del)?instrText\b[^>]*>(.*?)</w:(?:del)?instrText>|"
                         rb'<w:fldChar\b[^>]*w:fldCharType="separate"', re.S)
_SIMPLE = re.compile(rb'<w:fldSimple\b[^>]*w:instr="([^"]*)"')


def with_embedded(parts: dict[str, bytes]) -> dict[str, bytes]:
    """A package's parts and the parts of the packages embedded in it (a Word chart's workbook)."""
    inner = {}
    for name, data in parts.items():
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                inner.update({f"{name}/{n}": archive.read(n) for n in archive.namelist()})
    return {**parts, **inner}


def live_content(parts: dict[str, bytes]) -> list[str]:
    """What in a package is live, part by part: empty for an output kpi-excel may write."""
    found = []
    for name, data in with_embedded(parts).items():
        if _LIVE_PART.search(name):
            found.append(f"{name}: a part that holds macros, objects or imported content")
        if not name.endswith((".xml", ".rels")):
            continue
        if name.endswith("[Content_Types].xml") and _LIVE_TYPE.search(data):
            found.append(f"{name}: a content type for macros or objects")
        for rel in _RELATIONSHIP.findall(data):
            if _LIVE_RELATIONSHIP.search(rel):
                found.append(f"{name}: {rel.decode(errors='replace')}")
            elif b'TargetMode="External"' in rel and not (b"/hyperlink\"" in rel and _WEB.search(rel)):
                found.append(f"{name}: an external relationship {rel.decode(errors='replace')}")
        found += [f"{name}: {m.group().decode(errors='replace')}" for m in _LIVE_ELEMENT.finditer(data)]
        found += [f"{name}: field {instruction}" for instruction in field_instructions(data)
                  if live_field(instruction)]
    return found


def live_field(instruction: str) -> bool:
    """A field that fetches, or a HYPERLINK field to a file rather than a web page or address."""
    words = instruction.split()
    if not words:
        return False
    if words[0].upper() == "HYPERLINK":
        target = words[1].strip('"') if len(words) > 1 else ""
        return bool(target) and target != "\\l" and not re.match(r"(?:https?://|mailto:)", target, re.I)
    return words[0].upper() in FETCHING


def field_instructions(xml: bytes) -> list[str]:
    """Every field's instruction in a part: simple fields' and complex fields' (joined across runs)."""
    found = [html.unescape(m.group(1).decode()) for m in _SIMPLE.finditer(xml)]
    current: list[str] | None = None
    for match in _FIELD_CODE.finditer(xml):
        if match.group(1) is not None:
            if current is not None:
                current.append(html.unescape(match.group(1).decode()))
        elif b"begin" in match.group():
            if current is not None:
                found.append("".join(current).strip())
            current = []
        elif current is not None:  # separate: the instruction is complete
            found.append("".join(current).strip())
            current = None
    if current is not None:
        found.append("".join(current).strip())
    return found


def assert_nothing_live(outputs: dict[str, dict[str, bytes]], *, rated_too: bool = False) -> None:
    """No live content in any output (the rated copy, the department's own file kept as it was,
    only when asked)."""
    for suffix, parts in outputs.items():
        if suffix.startswith("-rated") and not rated_too:
            continue
        found = live_content(parts)
        assert not found, f"live content in {suffix}: {found[:5]}"
