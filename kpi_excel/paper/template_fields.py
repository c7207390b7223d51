"""Word fields that fetch (INCLUDETEXT, INCLUDEPICTURE, LINK, DDE ...) cut out of a template's part,
as simple fields (w:fldSimple) and as complex ones (w:fldChar begin ... instrText ... separate ...
result ... end, which may span paragraphs); a HYPERLINK field to a file keeps its text only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R, _P, _TBL = f"{{{W}}}r", f"{{{W}}}p", f"{{{W}}}tbl"
_FLD_CHAR, _TYPE = f"{{{W}}}fldChar", f"{{{W}}}fldCharType"
_INSTR = (f"{{{W}}}instrText", f"{{{W}}}delInstrText")
_SIMPLE, _SIMPLE_INSTR = f"{{{W}}}fldSimple", f"{{{W}}}instr"
_SECTION = f"{{{W}}}sectPr"

# fields whose result Word fetches from outside the document when it updates them
FETCHING = frozenset({"INCLUDETEXT", "INCLUDE", "INCLUDEPICTURE", "IMPORT", "LINK", "DDE", "DDEAUTO",
                      "DATABASE"})
_WEB = re.compile(r"^(?:https?://|mailto:)", re.I)


class FieldCutError(ValueError):
    """A fetching field that cannot be cut out without breaking the document around it."""


def field_kind(instruction: str) -> str:
    """A field's type, as its instruction starts: 'INCLUDETEXT', 'HYPERLINK', 'PAGE'."""
    words = instruction.strip().split(maxsplit=1)
    return words[0].upper().lstrip("\\") if words else ""


def is_live(instruction: str) -> bool:
    """Whether a field fetches from outside the document."""
    return field_kind(instruction) in FETCHING


def links_out(instruction: str) -> bool:
    """A HYPERLINK field to somewhere other than a web page, an e-mail address or the document's
    own bookmarks (a file on the council's network, say)."""
    if field_kind(instruction) != "HYPERLINK":
        return False
    rest = instruction.strip()[len("HYPERLINK"):].strip()
    if rest.startswith("\\l"):
        return False
    target = re.match(r'"([^"]*)"|(\S+)', rest)
    text = (target.group(1) or target.group(2) or "") if target else ""
    return bool(text) and not _WEB.match(text)


@dataclass
class _Field:
    begin: Any  # the run holding fldChar begin
    instruction: str = ""
    in_result: bool = False
    code_runs: list[Any] = field(default_factory=list)  # begin .. separate
    runs: list[Any] = field(default_factory=list)  # every run from begin to end


def cut_live_fields(root: Any) -> list[str]:
    """Cut every fetching field out of a part (its instruction and the result it last fetched),
    and keep only the text of HYPERLINK fields to files; returns the instructions cut."""
    cut: list[str] = []
    for simple in list(root.iter(_SIMPLE)):
        instruction = simple.get(_SIMPLE_INSTR, "")
        if simple.getparent() is None:
            continue
        if is_live(instruction):
            simple.getparent().remove(simple)
            cut.append(instruction.strip())
        elif links_out(instruction):
            _unwrap(simple)
            cut.append(instruction.strip())
    for complete in _complex_fields(root):
        if is_live(complete.instruction):
            _cut_whole(complete)
            cut.append(complete.instruction.strip())
        elif links_out(complete.instruction):
            for run in complete.code_runs:
                _remove(run)
            _remove(complete.runs[-1])  # the run holding fldChar end
            cut.append(complete.instruction.strip())
    return cut


def _complex_fields(root: Any) -> list[_Field]:
    """Every complex field of a part, innermost first, each with its runs in document order; a
    fetching field never closed runs to the end of the part."""
    done: list[_Field] = []
    open_fields: list[_Field] = []
    for run in list(root.iter(_R)):
        for current in open_fields:
            current.runs.append(run)
            if not current.in_result:
                current.code_runs.append(run)
        for child in run:
            if child.tag == _FLD_CHAR:
                kind = child.get(_TYPE)
                if kind == "begin":
                    open_fields.append(_Field(run, runs=[run], code_runs=[run]))
                elif kind == "separate" and open_fields:
                    open_fields[-1].in_result = True
                elif kind == "end" and open_fields:
                    done.append(open_fields.pop())
            elif child.tag in _INSTR and open_fields and not open_fields[-1].in_result:
                open_fields[-1].instruction += child.text or ""
    done.extend(f for f in reversed(open_fields) if is_live(f.instruction))
    return done


def _cut_whole(complete: _Field) -> None:
    """Cut a field's runs, and the paragraphs and tables wholly inside it (the text it fetched)."""
    first, last = _paragraph(complete.runs[0]), _paragraph(complete.runs[-1])
    if first is not None and last is not None and first is not last:
        if first.getparent() is not last.getparent():
            raise FieldCutError(f"the field '{' '.join(complete.instruction.split())[:80]}' runs across "
                                "table cells or frames, so it cannot be cut out safely")
        between = []
        sibling = first.getnext()
        while sibling is not None and sibling is not last:
            between.append(sibling)
            sibling = sibling.getnext()
        for block in between:
            if block.tag == _P and block.find(f"{{{W}}}pPr/{_SECTION}") is not None:
                for child in [c for c in block if c.tag != f"{{{W}}}pPr"]:
                    block.remove(child)  # a section break stays where it was
            elif block.tag in (_P, _TBL) or block.tag.endswith("}sdt"):
                block.getparent().remove(block)
    for run in complete.runs:
        _remove(run)


def _paragraph(run: Any) -> Any:
    ancestor = run.getparent()
    while ancestor is not None and ancestor.tag != _P:
        ancestor = ancestor.getparent()
    return ancestor


def _remove(element: Any) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _unwrap(element: Any) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)
