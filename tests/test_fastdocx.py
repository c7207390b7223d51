"""The linear stand-ins for python-docx's and docxtpl's quadratic steps (paper/fastdocx.py): the same
answers as the libraries' own collections, step by step, and the same paper, byte for byte."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import docxtpl
import pytest
from docx.image.image import Image
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.rel import Relationships
from docx.package import ImageParts
from docx.parts.image import ImagePart
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel import paper, pipeline
from kpi_excel.core.model import Report
from kpi_excel.paper import body_stream, fastdocx
from kpi_excel.paper.images import blank_png

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"


def test_the_stand_ins_are_used_with_the_versions_they_were_checked_against() -> None:
    """A new python-docx or docxtpl turns them off (slower, same bytes): this fails to say so, so
    that someone checks the new version (this file's byte comparisons) and updates CHECKED_WITH."""
    installed = {"python-docx": docx.__version__, "docxtpl": docxtpl.__version__}
    assert dict(fastdocx.CHECKED_WITH) == installed
    assert fastdocx.applies()
    with fastdocx.switched_off():
        assert not fastdocx.applies()
    assert fastdocx.applies()


# --- the collections answer as python-docx's own do ------------------------------------------------

# a step: ("add", target number, relationship type), ("delete", index among the current ids)
# or ("external", target number)
_STEPS = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 6), st.sampled_from([IMAGE, CHART])),
    st.tuples(st.just("delete"), st.integers(0, 30), st.just("")),
    st.tuples(st.just("external"), st.integers(0, 3), st.just("")),
), max_size=60)


@settings(max_examples=150, deadline=None)
@given(_STEPS, st.lists(st.integers(1, 12), max_size=6))
def test_indexed_relationships_give_the_ids_python_docx_gives(steps: list[tuple[str, int, str]],
                                                               loaded: list[int]) -> None:
    targets = [Part(PackURI(f"/word/media/image{n}.png"), "image/png", b"") for n in range(7)]
    plain = Relationships("/word")
    for number in dict.fromkeys(loaded):  # a document as loaded: ids with gaps, in file order
        plain.add_relationship(IMAGE, targets[number % 7], f"rId{number}")
    indexed = fastdocx.IndexedRelationships.copy_of(plain)
    for kind, n, reltype in steps:
        if kind == "delete":
            if plain:
                rel_id = list(plain)[n % len(plain)]
                del plain[rel_id], indexed[rel_id]
        elif kind == "external":
            assert (plain.get_or_add_ext_rel(IMAGE, f"https://example.org/{n}")
                    == indexed.get_or_add_ext_rel(IMAGE, f"https://example.org/{n}"))
        else:
            assert plain.get_or_add(reltype, targets[n]).rId == indexed.get_or_add(reltype, targets[n]).rId
        assert _listed(plain) == _listed(indexed)
    assert plain.xml == indexed.xml
    assert plain.related_parts == indexed.related_parts


def _listed(rels: Relationships) -> list[tuple[str, str, object, bool]]:
    return [(rel_id, rel.reltype, rel._target, rel.is_external) for rel_id, rel in rels.items()]


def _png(shade: int) -> bytes:
    """A distinct small PNG for each shade (the picture's SHA-1 tells parts apart)."""
    from PIL import Image as PILImage

    out = io.BytesIO()
    PILImage.new("RGB", (2, 2), (shade, shade, shade)).save(out, "PNG")
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=25), st.lists(st.integers(1, 9), max_size=4, unique=True))
def test_indexed_image_parts_give_the_parts_python_docx_gives(pictures: list[int],
                                                              numbers: list[int]) -> None:
    plain = ImageParts()
    for n in numbers:  # pictures the template held, numbered with gaps
        picture = Image.from_blob(_png(200 + n))
        plain.append(ImagePart.from_image(picture, PackURI(f"/word/media/image{n}.png")))
    indexed = fastdocx.IndexedImageParts.copy_of(plain)
    for shade in pictures:
        ours, theirs = (parts.get_or_add_image_part(io.BytesIO(_png(shade))) for parts in (indexed, plain))
        assert ours.partname == theirs.partname
        assert ours.sha1 == theirs.sha1
    assert [p.partname for p in indexed] == [p.partname for p in plain]


def test_iter_parts_lists_the_parts_in_python_docx_s_order() -> None:
    document = docx.Document(str(paper.default_template()))
    package = document.part.package
    assert [id(p) for p in fastdocx.iter_parts(package)] == [id(p) for p in type(package).iter_parts(package)]


# --- the paper is the same, byte for byte -----------------------------------------------------------


@pytest.fixture(scope="module")
def large_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """A made-up department of 60 indicators over 36 months: enough charts that every index is
    asked many times, as in a paper of thousands."""
    folder = tmp_path_factory.mktemp("fastdocx")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_council.py"), str(folder),
                    "--directorates", "1", "--indicators", "60", "--months", "36"], check=True)
    return pipeline.check(next(folder.glob("*.xlsx")))


@pytest.fixture(autouse=True)
def _short_papers_in_many_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The papers here are short: their bodies are rendered in parts of 7 kB (a few tables)."""
    monkeypatch.setattr(body_stream, "BATCH", 7)


def _both_ways(report: Report, **options: object) -> tuple[bytes, bytes]:
    fast = paper.render_paper(report, **options)  # type: ignore[arg-type]
    with fastdocx.switched_off():
        plain = paper.render_paper(report, **options)  # type: ignore[arg-type]
    return fast, plain


@pytest.mark.parametrize("chart_images_only", [False, True], ids=["native charts", "chart pictures"])
def test_the_paper_is_the_same_bytes_with_and_without_the_stand_ins(
        large_report: Report, chart_images_only: bool) -> None:
    fast, plain = _both_ways(large_report, chart_images_only=chart_images_only)
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        charts = [n for n in z.namelist() if n.startswith(("word/charts/", "word/media/"))]
    assert len(charts) >= 50  # the stand-ins were asked many times
    assert fast == plain


def test_the_sample_paper_is_the_same_bytes_with_and_without_the_stand_ins() -> None:
    report = pipeline.check(pipeline.sample_path())
    fast, plain = _both_ways(report)
    assert fast == plain
    # a picture the same as one already in the package is one part, related once (the index finds it)
    fast, plain = _both_ways(report, charts=dict.fromkeys(report.dataset.indicators, blank_png()),
                             chart_images_only=True)
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == 1
    assert fast == plain


def test_a_tab_or_line_break_in_a_value_is_still_resolved() -> None:
    """resolve_listing is skipped only where nothing in the part needs it."""
    report = pipeline.check(pipeline.sample_path())
    details = report.dataset.details
    import dataclasses

    changed = dataclasses.replace(report, dataset=dataclasses.replace(
        report.dataset, details=dataclasses.replace(details, service=f"{details.service}\tand\nmore")))
    fast, plain = _both_ways(changed)
    assert fast == plain
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        body = z.read("word/document.xml")
    assert b"<w:tab/>" in body and b"<w:br/>" in body


# --- the body is rendered in parts ------------------------------------------------------------------


def test_the_body_is_never_parsed_whole(large_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    fromstring = body_stream.etree.fromstring

    def counting(text: str | bytes, parser: object = None) -> object:
        if isinstance(text, str) and text.startswith("<w:body"):
            parsed.append(len(text))
        return fromstring(text, parser)

    monkeypatch.setattr(body_stream.etree, "fromstring", counting)
    data = paper.render_paper(large_report)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        whole = len(z.read("word/document.xml").decode())
    assert len(parsed) > 20
    assert max(parsed) < whole / 10


def test_a_part_that_does_not_parse_alone_is_parsed_with_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag the pieces' element count misreads (a "<" in a comment) leaves a part that is not
    whole: it and the rest are parsed together, as docxtpl parses the body."""
    monkeypatch.setattr(body_stream, "BATCH", 0)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    pieces = [f'<w:body xmlns:w="{w}"><w:p><w:r><w:t>one</w:t></w:r></w:p>',
              "<w:p><!-- a < b --><w:r><w:t>two",
              "</w:t></w:r></w:p>", "<w:p/><w:sectPr/></w:body>"]
    parts = list(body_stream._batches(pieces, {w}))
    texts = ["".join(p.wrapper.itertext()) for p in parts]
    assert "".join(texts) == "onetwo"
    assert [len(p.wrapper) for p in parts] == [1, 3]
