"""Linear stand-ins for the steps of python-docx and docxtpl that grow with the square of a paper.

A paper of 5,000 indicators holds 10,000 chart parts. Three library steps look at every earlier
one for each new one:

- python-docx's `Relationships.get_or_add` and `_next_rId` scan every relationship of the
  document part for each chart or picture related to it; `ImageParts` hashes every picture (and
  lists their numbers) for each new one; `OpcPackage.iter_parts` keeps the parts it has seen in a
  list. IndexedRelationships, IndexedImageParts and iter_parts keep an index instead and give
  the same answers (the same ids, the same part names, the same order).
- docxtpl's `map_tree` moves the rendered body into the document in one piece: lxml then
  reconciles the namespaces of the whole subtree against a cache that grows with every drawing,
  so each element searches a list as long as the charts before it. body_stream.py renders the
  body in parts instead, each moved (or, declaring nothing the root declares, not moved at all)
  on its own, so the body is never held whole.

The stand-ins lean on the libraries' internals, so they are used only with the versions they were
checked against (CHECKED_WITH); with any other version the libraries' own steps run, slower, to
the same bytes. tests/test_fastdocx.py renders papers both ways and compares the bytes.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import docx
import docxtpl
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.rel import Relationships, _Relationship
from docx.package import ImageParts

# what this module's stand-ins were checked against, as (library, its __version__)
CHECKED_WITH = (("python-docx", "1.2.0"), ("docxtpl", "0.20.2"))
_VERSIONS = {"python-docx": getattr(docx, "__version__", ""), "docxtpl": getattr(docxtpl, "__version__", "")}

_switched_off = False  # the libraries' own steps, whatever the versions (for comparing the two)


def applies() -> bool:
    """Whether the stand-ins are used: the installed libraries are the versions they were checked against."""
    return not _switched_off and all(_VERSIONS[name] == version for name, version in CHECKED_WITH)


@contextlib.contextmanager
def switched_off() -> Iterator[None]:
    """Within this block, papers are rendered by the libraries' own steps alone."""
    global _switched_off
    before, _switched_off = _switched_off, True
    try:
        yield
    finally:
        _switched_off = before


def speed_up(document: Any) -> None:
    """Give a document just opened (python-docx's Document) the indexed collections, where they apply."""
    if not applies():
        return
    package = document.part.package
    package.iter_parts = lambda: iter_parts(package)  # this package only; the class is untouched
    package.__dict__["image_parts"] = IndexedImageParts.copy_of(package.image_parts)
    for owner in (package, *package.iter_parts()):
        indexed = IndexedRelationships.copy_of(owner.rels)
        owner.__dict__["rels"] = indexed  # where python-docx's lazyproperty keeps it
        if isinstance(owner, Part):
            owner._rels = indexed  # python-docx keeps this name too, for docxtpl


def iter_parts(package: Any) -> Iterator[Any]:
    """OpcPackage.iter_parts, remembering the parts seen in a set: every part once, in the same order
    (depth first along the relationships, as python-docx walks them)."""
    seen: set[int] = set()

    def walk(source: Any) -> Iterator[Any]:
        for rel in source.rels.values():
            if rel.is_external:
                continue
            part = rel.target_part
            if id(part) in seen:
                continue
            seen.add(id(part))
            yield part
            yield from walk(part)

    yield from walk(package)


class IndexedRelationships(Relationships):
    """python-docx's Relationships, answering get_or_add and _next_rId from an index.

    The first relationship of each (type, target, external) is kept in a dict, as
    `_get_matching` finds the first in order; every rIdN below `_free_from` is taken, so the next
    free id (python-docx takes the lowest) is found by counting up from there. Any change other
    than adding through __setitem__ clears both, to be worked out again on the next question.
    """

    def __init__(self, baseURI: str) -> None:
        super().__init__(baseURI)
        self._first: dict[tuple[str, bool, Any], str] = {}
        self._free_from = 1
        self._stale = False

    @classmethod
    def copy_of(cls, rels: Relationships) -> IndexedRelationships:
        copy = cls(rels._baseURI)
        for rel_id, rel in rels.items():
            copy[rel_id] = rel
        copy._target_parts_by_rId.update(rels._target_parts_by_rId)
        return copy

    @staticmethod
    def _key(reltype: str, target: Any, is_external: bool) -> tuple[str, bool, Any]:
        # a part matches only itself (python-docx compares parts with ==, which is identity)
        return reltype, is_external, target if is_external else id(target)

    def __setitem__(self, rel_id: str, rel: _Relationship) -> None:
        replaced = rel_id in self
        super().__setitem__(rel_id, rel)
        if replaced:
            self._stale = True
        elif not self._stale:
            self._first.setdefault(self._key(rel.reltype, rel._target, rel.is_external), rel_id)

    def __delitem__(self, rel_id: str) -> None:
        super().__delitem__(rel_id)
        self._stale = True

    def pop(self, *args: Any) -> Any:
        self._stale = True
        return super().pop(*args)

    def popitem(self) -> Any:
        self._stale = True
        return super().popitem()

    def clear(self) -> None:
        self._stale = True
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._stale = True
        super().update(*args, **kwargs)

    def setdefault(self, *args: Any) -> Any:
        self._stale = True
        return super().setdefault(*args)

    def __ior__(self, other: Any) -> IndexedRelationships:  # type: ignore[misc,override]
        self._stale = True
        super().__ior__(other)
        return self

    def _reindex(self) -> None:
        self._first, self._free_from, self._stale = {}, 1, False
        for rel_id, rel in self.items():
            self._first.setdefault(self._key(rel.reltype, rel._target, rel.is_external), rel_id)

    def _get_matching(self, reltype: str, target: Any, is_external: bool = False) -> _Relationship | None:
        if self._stale:
            self._reindex()
        rel_id = self._first.get(self._key(reltype, target, is_external))
        return None if rel_id is None else self[rel_id]

    @property
    def _next_rId(self) -> str:  # noqa: N802 (python-docx's name)
        if self._stale:
            self._reindex()
        number = next(n for n in itertools.count(self._free_from) if f"rId{n}" not in self)
        self._free_from = number
        return f"rId{number}"


class IndexedImageParts(ImageParts):
    """python-docx's ImageParts, finding a picture by its SHA-1 in a dict (each part hashed once)
    and the next free image number (python-docx takes the lowest) by counting up from the last."""

    def __init__(self) -> None:
        super().__init__()
        self._by_sha1: dict[str, Any] = {}
        self._numbers: set[int | None] = set()
        self._free_from = 1

    @classmethod
    def copy_of(cls, parts: ImageParts) -> IndexedImageParts:
        copy = cls()
        for part in parts:
            copy.append(part)
        return copy

    def append(self, item: Any) -> None:
        super().append(item)
        self._by_sha1.setdefault(item.sha1, item)
        self._numbers.add(item.partname.idx)

    def _get_by_sha1(self, sha1: str) -> Any:
        return self._by_sha1.get(sha1)

    def _next_image_partname(self, ext: str) -> Any:
        number = next(n for n in itertools.count(self._free_from) if n not in self._numbers)
        self._free_from = number
        return PackURI(f"/word/media/image{number}.{ext}")


_LISTING_CHARACTERS = ("\t", "\a", "\n", "\f")  # what docxtpl's resolve_listing turns into Word markup


def needs_listing(xml: str) -> bool:
    """Whether docxtpl's resolve_listing can change a rendered part: only where its text holds a tab,
    bell, line feed or form feed (which a paper seldom has); it rewrites every run with regular
    expressions to find them."""
    return not applies() or any(character in xml for character in _LISTING_CHARACTERS)
