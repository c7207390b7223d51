"""A council's Word template with everything live left out, before it is rendered: nothing in it
may run, fetch or point anywhere from the published paper.

A template is a file from outside the tool, and a council's often carries more than its layout:
macros (a .docm renamed .docx), the link to the template it was made from on the council's network
(`attachedTemplate`), linked pictures, imported HTML or RTF (`altChunk`), embedded objects and
form controls, a mail-merge data source, and fields that fetch (INCLUDETEXT, INCLUDEPICTURE, LINK,
DDE). Each is left out, with a line naming it for `build`'s warnings and `template check`; what
cannot be cut out safely refuses the template with one line. Hyperlinks to web pages and e-mail
addresses are a paper's own and stay.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from kpi_excel.core.formatting import without_control_characters
from kpi_excel.errors import TemplateError
from kpi_excel.paper.template_fields import FieldCutError, cut_live_fields

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# the main part's other content types python-docx refuses: a .docm, a .dotx and a .dotm
_OTHER_MAIN_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": True,
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": True,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": False,
}
MAX_TEMPLATE_BYTES = 256 * 2**20  # unpacked: a template with pictures is a few MB
_FIX = "Open the template in Word, remove it, save the template as a .docx document, and retry"

# relationship types (the last part of the type) whose target is left out, and what it is
_MACROS = "macros (VBA)"
_LEFT_OUT = {
    "vbaProject": _MACROS, "wordVbaData": _MACROS, "keyMapCustomizations": _MACROS,
    "attachedToolbars": _MACROS, "vbaProjectSignature": _MACROS,
    "aFChunk": "imported content (altChunk)",
    "oleObject": "embedded objects (OLE)", "package": "embedded objects (OLE)",
    "control": "form controls (ActiveX)", "activeXControlBinary": "form controls (ActiveX)",
    "subDocument": "subdocuments",
}
_MACRO_PART = re.compile(r"(?:^|/)(?:vbaProject\.bin|vbaProjectSignature\.bin|vbaData\.xml|"
                         r"customizations\.xml|attachedToolbars\.bin)$", re.I)
_MACRO_TYPE = re.compile(r"vbaProject|vbaData|macroEnabled|keyMapCustomizations|attachedToolbars", re.I)
_WEB = re.compile(r"^(?:https?://|mailto:)", re.I)
# what an element referring to a left-out relationship is cut back to: the drawing, picture or
# object it belongs to, or itself
_HOLDERS = {f"{{{W}}}drawing", f"{{{W}}}pict", f"{{{W}}}object"}


@dataclass(frozen=True)
class CleanTemplate:
    """A template package with nothing live left in it, and a line for each kind of thing left out."""

    data: bytes
    dropped: tuple[str, ...] = ()


def cleaned_template(path: Path) -> CleanTemplate:
    """The template at path, cleaned (see the module's docstring); a TemplateError when it is no
    .docx or holds something that cannot be cut out safely. Cleaned once per content."""
    if not path.is_file():
        raise TemplateError("the template file does not exist", file=str(path),
                            fix="Check the path given to --template")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TemplateError(f"cannot be read ({error.strerror})", file=str(path),
                            fix="Check the path given to --template") from error
    key = (hashlib.sha256(data).digest(), str(path))
    if key not in _CLEANED:
        if len(_CLEANED) >= 8:  # a few templates at most: keep the memory bounded
            _CLEANED.clear()
        _CLEANED[key] = clean_package(data, str(path))
    return _CLEANED[key]


_CLEANED: dict[tuple[bytes, str], CleanTemplate] = {}  # (content's SHA-256, name) -> cleaned


def clean_package(data: bytes, name: str) -> CleanTemplate:
    """A .docx package's bytes with its macros, external links, imported content, embedded
    objects and fetching fields left out; the bytes as given when it holds none."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise TemplateError(f"is not a Word .docx file ({error.__class__.__name__})", file=name,
                            fix="Save the template from Word as a .docx document") from error
    with archive:
        package = _Package(archive, name)
    package.clean()
    if not package.changed:
        return CleanTemplate(data)
    return CleanTemplate(package.written(), tuple(package.report()))


@dataclass
class _Rel:
    source: str  # the part whose relationship it is ("" for the package)
    rels_part: str
    element: Any
    kind: str  # the last part of its type: hyperlink, image, attachedTemplate ...
    target: str
    external: bool

    @property
    def target_part(self) -> str:
        if self.target.startswith("/"):
            return self.target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.source), self.target))


@dataclass
class _Package:
    """The parts of a template being cleaned, parsed as they are needed."""

    archive: zipfile.ZipFile
    name: str
    parts: dict[str, bytes] = field(default_factory=dict)
    xml: dict[str, Any] = field(default_factory=dict)  # part -> parsed root, once edited or read
    edited: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    found: dict[str, list[str]] = field(default_factory=dict)  # what was left out -> details

    def __post_init__(self) -> None:
        members = self.archive.infolist()
        seen: set[str] = set()
        for member in members:
            key = member.filename.casefold()
            if key in seen:
                raise TemplateError(f"part {member.filename} is stored twice in the template's zip",
                                    file=self.name, fix="Save the template from Word as a .docx document")
            seen.add(key)
        if sum(m.file_size for m in members) > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"the template unpacks to more than {MAX_TEMPLATE_BYTES // 2**20} MB",
                                file=self.name, fix="Remove large pictures from the template")
        try:
            self.parts = {m.filename: self.archive.read(m) for m in members if not m.is_dir()}
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError) as error:
            raise TemplateError(f"is damaged ({error})", file=self.name,
                                fix="Save the template from Word as a .docx document") from error

    @property
    def changed(self) -> bool:
        return bool(self.edited or self.removed)

    # --- reading and writing parts ------------------------------------------------------------

    def root(self, part: str) -> Any:
        if part not in self.xml:
            data = self.parts[part]
            if re.search(rb"<!(?:DOCTYPE|ENTITY)", data):
                raise TemplateError(f"part {part} declares XML entities (a DTD), which Word never writes",
                                    file=self.name, fix="Do not use this template; save a new one from Word")
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            try:
                self.xml[part] = etree.fromstring(data, parser)
            except etree.XMLSyntaxError as error:
                raise TemplateError(f"part {part} is not well-formed XML ({error})", file=self.name,
                                    fix="Save the template from Word as a .docx document") from error
        return self.xml[part]

    def note(self, what: str, detail: str) -> None:
        shown = " ".join(without_control_characters(detail).split())
        self.found.setdefault(what, [])
        if shown and shown not in self.found[what]:
            self.found[what].append(shown[:100] + ("..." if len(shown) > 100 else ""))

    def written(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for member in self.archive.infolist():
                if member.filename in self.removed or member.is_dir():
                    continue
                data = (etree.tostring(self.xml[member.filename], xml_declaration=True, encoding="UTF-8",
                                       standalone=True)
                        if member.filename in self.edited else self.parts[member.filename])
                info = zipfile.ZipInfo(member.filename, date_time=member.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                package.writestr(info, data)
        return out.getvalue()

    def report(self) -> Iterable[str]:
        for what, details in self.found.items():
            shown = "; ".join(details[:5]) + ("; ..." if len(details) > 5 else "")
            yield f"left out of the paper: the template's {what}{': ' + shown if shown else ''}"

    # --- cleaning -----------------------------------------------------------------------------

    def clean(self) -> None:
        self._main_content_type()
        for rel in self._relationships():
            self._judge(rel)
        for part in [p for p in self.parts if _MACRO_PART.search(p) and p not in self.removed]:
            self._remove_part(part)
            self.note(_MACROS, part)
        for part in list(self.parts):
            if part in self.removed or not part.endswith(".xml") or not part.startswith("word/"):
                continue
            self._cut_fields(part)
        if "word/settings.xml" in self.parts and "word/settings.xml" not in self.removed:
            self._drop_mail_merge()
        self._content_types()

    def _main_content_type(self) -> None:
        root = self.root("[Content_Types].xml")
        for override in root.iter(f"{{{TYPES}}}Override"):
            kind = override.get("ContentType", "")
            if kind in _OTHER_MAIN_TYPES:
                override.set("ContentType", DOCUMENT_TYPE)
                self.edited.add("[Content_Types].xml")
                if _OTHER_MAIN_TYPES[kind]:
                    self.note(_MACROS, "a macro-enabled document (.docm or .dotm) saved as .docx")

    def _relationships(self) -> list[_Rel]:
        found = []
        for rels_part in [p for p in self.parts if p.endswith(".rels")]:
            folder, file = posixpath.split(rels_part)
            source = posixpath.join(posixpath.dirname(folder), file.removesuffix(".rels"))
            source = "" if file == ".rels" else source
            for element in self.root(rels_part).iter(f"{{{PKG}}}Relationship"):
                kind = element.get("Type", "").rsplit("/", 1)[-1]
                found.append(_Rel(source, rels_part, element, kind, element.get("Target", ""),
                                  element.get("TargetMode", "") == "External"))
        return found

    def _judge(self, rel: _Rel) -> None:
        if rel.rels_part in self.removed:
            return
        if rel.external:
            if rel.kind == "hyperlink" and _WEB.match(rel.target.strip()):
                return  # a web page or an e-mail address: a paper's own kind of link
            what = {"attachedTemplate": "link to the template it was made from",
                    "hyperlink": "links to files, not web pages (their text stays)",
                    "image": "linked pictures"}.get(rel.kind, f"links to other files ({rel.kind})")
            self._cut_relationship(rel)
            self.note(what, rel.target)
            return
        left_out = _LEFT_OUT.get(rel.kind)
        if left_out is None or (rel.kind == "package" and "/charts/" in rel.source
                                and rel.target_part.lower().endswith(".xlsx")):
            return  # a chart's own data (an .xlsx) stays with the chart
        self._cut_relationship(rel)
        self._remove_part(rel.target_part)
        self.note(left_out, rel.target_part)

    def _cut_relationship(self, rel: _Rel) -> None:
        rel.element.getparent().remove(rel.element)
        self.edited.add(rel.rels_part)
        rid = rel.element.get("Id", "")
        if rel.source and rel.source in self.parts and rel.source.endswith(".xml") and rid:
            self._cut_references(rel.source, rid, rel.kind)

    def _cut_references(self, part: str, rid: str, kind: str) -> None:
        """Every element of part that refers to the relationship rid: a hyperlink keeps its text,
        a picture or object goes with its drawing, anything else goes."""
        root = self.root(part)
        referring = [(element, attribute) for element in root.iter()
                     for attribute, value in element.attrib.items()
                     if attribute.startswith(f"{{{R}}}") and value == rid]
        for element, attribute in referring:
            if element.getparent() is None and element is not root:
                continue  # gone with an element cut before
            self.edited.add(part)
            if element.tag == f"{{{W}}}hyperlink":
                _unwrap(element)
            elif attribute == f"{{{R}}}link" and element.get(f"{{{R}}}embed"):
                del element.attrib[attribute]  # a picture both embedded and linked keeps its copy
            elif element is root:
                raise TemplateError(f"part {part} is itself a link that cannot be left out", file=self.name,
                                    fix=_FIX)
            else:
                _remove(_holder(element))

    def _remove_part(self, part: str) -> None:
        if part in self.removed or part not in self.parts:
            return
        self.removed.add(part)
        folder, file = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", file + ".rels")
        if rels in self.parts:  # what only the part used (an ActiveX control's binary) goes with it
            self.removed.add(rels)
            for element in self.root(rels).iter(f"{{{PKG}}}Relationship"):
                if element.get("TargetMode") != "External":
                    target = element.get("Target", "")
                    inner = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join(folder, target))
                    if not self._used_elsewhere(inner, rels):
                        self._remove_part(inner)

    def _used_elsewhere(self, part: str, besides: str) -> bool:
        name = posixpath.basename(part)
        return any(name.encode() in self.parts[rels] for rels in self.parts
                   if rels.endswith(".rels") and rels != besides and rels not in self.removed)

    def _cut_fields(self, part: str) -> None:
        data = self.parts[part]
        if b"fldSimple" not in data and b"instrText" not in data:
            return
        try:
            cut = cut_live_fields(self.root(part))
        except FieldCutError as error:
            raise TemplateError(f"{error} (in {part})", file=self.name, fix=_FIX) from error
        if cut:
            self.edited.add(part)
            for instruction in cut:
                self.note("fields that fetch or link", instruction)

    def _drop_mail_merge(self) -> None:
        root = self.root("word/settings.xml")
        for merge in root.findall(f"{{{W}}}mailMerge"):
            source = merge.find(f"{{{W}}}connectString")
            source = source if source is not None else merge.find(f"{{{W}}}query")
            self.note("mail-merge data source", source.get(f"{{{W}}}val", "") if source is not None else "")
            root.remove(merge)
            self.edited.add("word/settings.xml")

    def _content_types(self) -> None:
        """No content type left for a part left out, nor a default that names macros."""
        root = self.root("[Content_Types].xml")
        gone = {"/" + part for part in self.removed}
        for entry in list(root):
            if (entry.tag == f"{{{TYPES}}}Override" and entry.get("PartName", "") in gone) or (
                    entry.tag == f"{{{TYPES}}}Default" and _MACRO_TYPE.search(entry.get("ContentType", ""))):
                root.remove(entry)
                self.edited.add("[Content_Types].xml")


def _holder(element: Any) -> Any:
    """The drawing, picture or object an element belongs to, else the element itself."""
    ancestor = element
    while ancestor is not None:
        if ancestor.tag in _HOLDERS:
            return ancestor
        ancestor = ancestor.getparent()
    return element


def _remove(element: Any) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _unwrap(element: Any) -> None:
    """Put an element's children in its place (a hyperlink's runs keep their text)."""
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)
