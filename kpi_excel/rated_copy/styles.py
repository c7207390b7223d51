"""styles.xml, to which the rated copy appends cell formats, fonts, number formats and conditional
formats (none of the existing entries moves), reusing any that is the same as one it needs."""

from __future__ import annotations

import re

from kpi_excel.excel.xmltext import escape, quoteattr
from kpi_excel.present.palette import WORD_SWATCHES, Swatch
from kpi_excel.rated_copy.model import CannotEdit
from kpi_excel.rated_copy.sheet import FIGURE, HEADER, StyleRequests

# Excel's built-in number formats, by their codes (ECMA-376 18.8.30); any other gets an id from 164
_BUILT_IN = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
_ENTITIES = {"&quot;": '"', "&apos;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&"}


class Styles:
    """styles.xml, with what the new cells and their conditional formats need."""

    def __init__(self, xml: bytes) -> None:
        if not re.search(rb"<styleSheet[\s>]", xml):
            raise CannotEdit("its styles part is not written as Excel writes it")
        self.xml = xml
        self.xfs = _children(_block(xml, b"cellXfs"), b"xf")
        self.fonts = _children(_block(xml, b"fonts"), b"font")
        self.dxf_list = _children(_block(xml, b"dxfs", required=False), b"dxf")
        self.number_formats = {_unescape(code.decode()): int(i) for i, code in re.findall(
            rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', _block(xml, b"numFmts", False))}
        self.new_formats: dict[str, int] = {}
        self.requests = StyleRequests(len(self.xfs), existing=self._existing)
        self.dxfs: dict[Swatch, int] = {}

    def dxf_for(self, word: str) -> int:
        """The conditional format (dxf) index for a word's swatch: one the styles hold already
        (an earlier build's), or one appended once."""
        swatch = WORD_SWATCHES[word]
        if swatch not in self.dxfs:
            entry = _dxf(swatch)
            if entry in self.dxf_list:
                self.dxfs[swatch] = self.dxf_list.index(entry)
            else:
                added = sum(i >= len(self.dxf_list) for i in self.dxfs.values())
                self.dxfs[swatch] = len(self.dxf_list) + added
        return self.dxfs[swatch]

    def format_id(self, code: str) -> int:
        """The number format id for a format code: built in, the workbook's own, or a new one."""
        if not code or code in _BUILT_IN:
            return _BUILT_IN.get(code or "General", 0)
        if code in self.number_formats:
            return self.number_formats[code]
        if code not in self.new_formats:
            taken = [*self.number_formats.values(), *self.new_formats.values(), 163]
            self.new_formats[code] = max(taken) + 1
        return self.new_formats[code]

    def edited(self) -> bytes:
        xml = self.xml
        new_fonts: list[bytes] = []
        new_xfs = [xf for kind, copied, code in self.requests.made
                   if (xf := self._new_xf(kind, copied, code, new_fonts)) is not None]
        if self.new_formats:
            xml = self._add_number_formats(xml)
        if new_fonts:
            xml = _append(xml, b"fonts", b"font", new_fonts)
        if new_xfs:
            xml = _append(xml, b"cellXfs", b"xf", new_xfs)
        if any(i >= len(self.dxf_list) for i in self.dxfs.values()):
            xml = self._add_dxfs(xml)
        return xml

    def _existing(self, kind: str, copied: int, code: str) -> int | None:
        """The index of a cell format the styles hold already that is the one wanted."""
        xf = self._new_xf(kind, copied, code, [], look_up=True)
        return self.xfs.index(xf) if xf is not None and xf in self.xfs else None

    def _new_xf(self, kind: str, copied: int, code: str, new_fonts: list[bytes], look_up: bool = False
                ) -> bytes | None:
        source = self.xfs[copied] if copied < len(self.xfs) else self.xfs[0]
        attrs = _attrs(source)
        font_id = int(attrs.get("fontId", "0"))
        if kind == HEADER:
            # the header's own look, in italics, so the added columns show as added
            font = _italic(self.fonts[font_id] if font_id < len(self.fonts) else self.fonts[0])
            if font in self.fonts:
                attrs["fontId"] = str(self.fonts.index(font))
            elif look_up:
                return None
            else:
                new_fonts.append(font)
                attrs["fontId"] = str(len(self.fonts) + len(new_fonts) - 1)
            attrs["applyFont"] = "1"
            return _xf(attrs, _inner(source))
        keep: dict[str, str] = {k: attrs[k] for k in ("fontId", "fillId", "borderId", "xfId") if k in attrs}
        if kind == FIGURE:
            if look_up and code and code not in _BUILT_IN and code not in self.number_formats:
                return None
            keep.update(numFmtId=str(self.format_id(code)), applyNumberFormat="1", applyFont="1",
                        applyFill="1", applyBorder="1", applyAlignment="1")
            return _xf(keep, b'<alignment vertical="center"/>')  # level with the words beside it
        keep.update(numFmtId="0", applyFont="1", applyFill="1", applyBorder="1", applyAlignment="1")
        return _xf(keep, b'<alignment horizontal="center" vertical="center"/>')

    def _add_number_formats(self, xml: bytes) -> bytes:
        entries = [f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>'.encode()
                   for code, i in self.new_formats.items()]
        if _block(xml, b"numFmts", required=False) or re.search(rb"<numFmts\b[^>]*>\s*</numFmts>", xml):
            return _append(xml, b"numFmts", b"numFmt", entries)
        block = f'<numFmts count="{len(entries)}">'.encode() + b"".join(entries) + b"</numFmts>"
        opening = re.search(rb"<styleSheet\b[^>]*>", xml)
        assert opening is not None
        return xml[:opening.end()] + block + xml[opening.end():]  # numFmts comes first

    def _add_dxfs(self, xml: bytes) -> bytes:
        entries = [_dxf(swatch) for swatch, i in sorted(self.dxfs.items(), key=lambda item: item[1])
                   if i >= len(self.dxf_list)]
        if self.dxf_list:
            return _append(xml, b"dxfs", b"dxf", entries)
        block = f'<dxfs count="{len(entries)}">'.encode() + b"".join(entries) + b"</dxfs>"
        empty = re.search(rb"<dxfs\b[^>]*/>|<dxfs\b[^>]*>\s*</dxfs>", xml)
        if empty:
            return xml[:empty.start()] + block + xml[empty.end():]
        after = xml.index(b"</cellXfs>")
        later = [m.start() for m in re.finditer(rb"<(tableStyles|colors|extLst)[\s>/]|</styleSheet>", xml)
                 if m.start() > after]
        at = min(later)
        cell_styles = xml.find(b"</cellStyles>", after)
        if 0 <= cell_styles < at:
            at = max(at, cell_styles + len(b"</cellStyles>"))
        return xml[:at] + block + xml[at:]


def _unescape(text: str) -> str:
    return re.sub(r"&(quot|apos|lt|gt|amp);", lambda m: _ENTITIES[m.group(0)], text)


def _block(xml: bytes, name: bytes, required: bool = True) -> bytes:
    match = re.search(rb"<" + name + rb"\b[^>]*?>(.*?)</" + name + rb">", xml, re.S)
    if match is None:
        if required:
            raise CannotEdit(f"its styles part has no {name.decode()} list")
        return b""
    return match.group(1)


def _children(block: bytes, name: bytes) -> list[bytes]:
    return re.findall(rb"<" + name + rb"(?:\s[^>]*?)?/>|<" + name + rb"(?:\s[^>]*?)?>.*?</" + name + rb">",
                      block, re.S)


def _append(xml: bytes, block: bytes, child: bytes, entries: list[bytes]) -> bytes:
    match = re.search(rb"<" + block + rb"\b([^>]*?)>(.*?)</" + block + rb">", xml, re.S)
    assert match is not None
    total = len(_children(match.group(2), child)) + len(entries)
    start_tag = xml[match.start():match.start(2)]
    if re.search(rb'count="\d+"', start_tag):
        start_tag = re.sub(rb'count="\d+"', f'count="{total}"'.encode(), start_tag)
    return (xml[:match.start()] + start_tag + match.group(2) + b"".join(entries)
            + xml[match.end(2):])


def _attrs(element: bytes) -> dict[str, str]:
    tag = re.match(rb"<\w+((?:\s+[\w:]+=\"[^\"]*\")*)", element)
    assert tag is not None
    return {k.decode(): v.decode() for k, v in re.findall(rb'([\w:]+)="([^"]*)"', tag.group(1))}


def _inner(element: bytes) -> bytes:
    if element.endswith(b"/>"):
        return b""
    return element[element.index(b">") + 1:element.rindex(b"</")]


def _xf(attrs: dict[str, str], inner: bytes) -> bytes:
    text = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<xf {text}>".encode() + inner + b"</xf>" if inner else f"<xf {text}/>".encode()


def _italic(font: bytes) -> bytes:
    if re.search(rb"<i(\s[^>]*)?/>", font):
        return font
    if font.endswith(b"/>"):
        return font[:-2].rstrip() + b"><i/></font>"
    bold = re.search(rb"<b(\s[^>]*)?/>", font)
    at = bold.end() if bold else font.index(b">") + 1
    return font[:at] + b"<i/>" + font[at:]


def _dxf(swatch: Swatch) -> bytes:
    text, fill = "FF" + swatch.text_hex, "FF" + swatch.fill_hex
    return (f'<dxf><font><color rgb="{text}"/></font><fill><patternFill patternType="solid">'
            f'<fgColor rgb="{fill}"/><bgColor rgb="{fill}"/></patternFill></fill></dxf>').encode()


def conditional_formats(ranges: list[tuple[str, tuple[str, ...]]], styles: Styles) -> tuple[bytes, int]:
    """One <conditionalFormatting> per range, a rule per word (the word's fill and text colour),
    numbered from 1; and how many rules they hold."""
    out = []
    priority = 0
    for sqref, words in ranges:
        rules = []
        for word in words:
            priority += 1
            rules.append(f'<cfRule type="cellIs" dxfId="{styles.dxf_for(word)}" priority="{priority}" '
                         f'operator="equal"><formula>{word_formula(word).decode()}</formula></cfRule>')
        out.append(f'<conditionalFormatting sqref="{sqref}">{"".join(rules)}</conditionalFormatting>')
    return "".join(out).encode(), priority


def word_formula(word: str) -> bytes:
    """A conditional format's formula for a word, as the XML holds it: "Green"."""
    return escape('"' + word.replace('"', '""') + '"').encode()
