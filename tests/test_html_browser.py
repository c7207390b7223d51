"""The HTML paper in a real browser: headless Chromium over the DevTools protocol, axe-core 4 for
WCAG 2.0, 2.1 and 2.2 A and AA, a 320 px screen, the network, the print and screenshots.

Skipped where Chromium or npm is missing, never under CI=true (.ci/run installs them). The
screenshots are written to .pytest_cache/d/html-screenshots/ for a person to look at.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from browser import Browser, require_browser
from html_cases import COMMENTARY, SCRIPT, council_run, gappy_report, hostile_report

from kpi_excel import pipeline
from kpi_excel.core.model import Report
from kpi_excel.html import render_html
from kpi_excel.present import palette
from kpi_excel.present.views import derive

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP, PHONE = 1280, 320
A4 = (595.28, 841.89)  # points


@pytest.fixture(scope="module")
def tools() -> tuple[str, str]:
    return require_browser()


@pytest.fixture(scope="module")
def chromium(tools: tuple[str, str]) -> Iterator[Browser]:
    browser = Browser(tools[0])
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def report() -> Report:
    return pipeline.check(pipeline.sample_path())


@pytest.fixture(scope="module")
def pages(report: Report, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of page the tool writes: the sample paper and its appendices, a council-wide
    paper, one with hostile text, one with a gap, a KPI without figures and placeholders."""
    folder = tmp_path_factory.mktemp("html-pages")
    options = pipeline.Options(html=True, appendices_separately=True)
    built = pipeline.build(pipeline.sample_path(), folder / "sample", options, jobs=1)
    found = {p.stem.removeprefix("scs-kpi-tracker-2019-20-"): p for p in built.outputs if p.suffix == ".html"}
    council_run(folder / "council-in", folder / "council-out")
    found["council-wide"] = folder / "council-out" / "council-wide-paper.html"
    for name, make in (("hostile", hostile_report), ("gappy", gappy_report)):
        found[name] = folder / f"{name}.html"
        found[name].write_text(render_html(make()), encoding="utf-8")
    assert set(found) == {"paper", "appendix-1", "appendix-2", "council-wide", "hostile", "gappy"}
    return found


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.cache.mkdir("html-screenshots"))  # type: ignore[union-attr]


PAGES = ["paper", "appendix-1", "appendix-2", "council-wide", "hostile", "gappy"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_axe_finds_no_wcag_a_or_aa_violation(chromium: Browser, tools: tuple[str, str],
                                             pages: dict[str, Path], name: str, width: int) -> None:
    with chromium.page(pages[name].as_uri(), width) as page:
        assert page.evaluate("typeof axe") == "undefined"
        violations = page.axe(tools[1], WCAG)
        assert page.evaluate("axe.version").startswith("4.")
    assert violations == [], json.dumps(violations, indent=1)[:4000]


def test_axe_finds_no_violation_in_forced_colours_either(chromium: Browser, tools: tuple[str, str],
                                                         pages: dict[str, Path], shots: Path) -> None:
    with chromium.page(pages["paper"].as_uri(), DESKTOP, media={"forced-colors": "active"}) as page:
        assert page.evaluate("matchMedia('(forced-colors: active)').matches")
        assert page.axe(tools[1], WCAG) == []
        page.screenshot(shots / "forced-colours-kpi-details.png", element_id="kpi-details")


# what lies past the right edge of the screen, outside a table's own scrolling region
OVERFLOWING = """
[...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > innerWidth + 0.5)
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))
"""


@pytest.mark.parametrize("name", PAGES)
def test_at_320_px_nothing_is_wider_than_the_screen(chromium: Browser, pages: dict[str, Path],
                                                    name: str) -> None:
    with chromium.page(pages[name].as_uri(), PHONE) as page:
        width, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        overflowing = page.evaluate(OVERFLOWING)
        regions = page.evaluate("[...document.querySelectorAll('.table-wrap')].map(e => "
                                "[e.getAttribute('role'), e.tabIndex, e.getAttribute('aria-labelledby')])")
    assert screen == PHONE and width <= PHONE
    assert overflowing == []
    # a wide table scrolls inside its own region, which has a name and takes the keyboard's focus
    assert regions and all(role == "region" and tab == 0 and label for role, tab, label in regions)


@pytest.mark.parametrize("name", PAGES)
def test_the_page_fetches_nothing(chromium: Browser, pages: dict[str, Path], name: str) -> None:
    url = pages[name].as_uri()
    with chromium.page(url, DESKTOP) as page:
        page.evaluate("document.getElementById('main').scrollIntoView()")
        requests = page.requests()
        failed = page.events("Network.loadingFailed")
    assert requests == [url] and failed == []


def test_every_chart_is_an_image_named_by_its_alt_text_beside_its_table(
        chromium: Browser, pages: dict[str, Path], report: Report) -> None:
    with chromium.page(pages["paper"].as_uri(), DESKTOP) as page:
        tree = page.accessibility_tree()
        tables = page.evaluate("[...document.querySelectorAll('svg[role=img]')].map(svg => "
                               "svg.closest('.chart-and-table').querySelector('table caption').textContent)")
    images = [node["name"]["value"] for node in tree
              if node.get("role", {}).get("value") == "image" and not node.get("ignored")]
    specs = [(r.indicator.code, spec) for r, spec in zip(report.ratings, derive(report).chart_specs.values(),
                                                           strict=True) if spec is not None]
    assert images == [spec.alt_text for _, spec in specs]
    assert tables == [f"Values by period: {code}" for code, _ in specs]


def test_every_code_and_the_rag_counts_are_shown_in_their_colours(
        chromium: Browser, pages: dict[str, Path], report: Report) -> None:
    with chromium.page(pages["paper"].as_uri(), DESKTOP) as page:
        shown = page.evaluate("document.body.innerText")
        cells = page.evaluate("[...document.querySelectorAll('table.summary td')].map(td => [td.innerText, "
                              "getComputedStyle(td).backgroundColor, getComputedStyle(td).color])")
    assert all(r.indicator.code in shown for r in report.ratings)
    for rag, count in (("Green", report.summary.green), ("Amber", report.summary.amber),
                       ("Red", report.summary.red)):
        swatch = palette.WORD_SWATCHES[rag]
        assert [c for c in cells if c[0] == rag] == [[rag, rgb(swatch.fill), rgb(swatch.text)]] * count


def rgb(colour: str) -> str:
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def test_hostile_text_stays_text_and_runs_nothing(chromium: Browser, pages: dict[str, Path]) -> None:
    with chromium.page(pages["hostile"].as_uri(), DESKTOP) as page:
        state = page.evaluate("[typeof window.pwned, document.scripts.length, document.querySelectorAll("
                              "'iframe, img, object, embed, base').length, getComputedStyle(document.body)"
                              ".display, document.getElementById('kpi-1').textContent, "
                              "document.querySelectorAll('a[href^=\"http\"], a[href^=\"javascript\"]')"
                              ".length]")
        text = page.evaluate("document.body.innerText")
    assert state[:4] == ["undefined", 0, 0, "block"] and state[5] == 0
    assert SCRIPT in state[4]
    assert " ".join(COMMENTARY.split()) in " ".join(text.split())


def test_the_stylesheet_applies_under_the_policy_and_no_script_can_run(
        chromium: Browser, pages: dict[str, Path]) -> None:
    with chromium.page(pages["paper"].as_uri(), DESKTOP) as page:
        header = page.evaluate("getComputedStyle(document.querySelector('thead th')).backgroundColor")
        # a script put into the page's DOM is refused by the page's policy
        page.evaluate("(() => { const s = document.createElement('script'); s.textContent = "
                      "'window.ran = 1'; document.body.append(s); })()")
        ran = page.evaluate("typeof window.ran")
        blocked = [e["entry"]["text"] for e in page.events("Log.entryAdded")]
    assert header == rgb(palette.HEADER_FILL)
    assert ran == "undefined"
    assert any("Content Security Policy" in line for line in blocked)


def test_the_keyboard_reaches_the_skip_link_first_and_it_shows(chromium: Browser, pages: dict[str, Path]
                                                               ) -> None:
    with chromium.page(pages["paper"].as_uri(), DESKTOP) as page:
        for kind in ("keyDown", "keyUp"):
            page.send("Input.dispatchKeyEvent", {"type": kind, "key": "Tab", "code": "Tab",
                                                 "windowsVirtualKeyCode": 9})
        focused = page.evaluate("[document.activeElement.className, "
                                "document.activeElement.getBoundingClientRect().top, "
                                "getComputedStyle(document.activeElement).backgroundColor]")
    assert focused[0] == "skip-link" and focused[1] >= 0 and focused[2] == "rgb(255, 221, 0)"


def test_reduced_motion_turns_smooth_scrolling_off(chromium: Browser, pages: dict[str, Path]) -> None:
    behaviour = "getComputedStyle(document.documentElement).scrollBehavior"
    with chromium.page(pages["paper"].as_uri(), DESKTOP) as page:
        assert page.evaluate(behaviour) == "smooth"
    with chromium.page(pages["paper"].as_uri(), DESKTOP, media={"prefers-reduced-motion": "reduce"}) as page:
        assert page.evaluate(behaviour) == "auto"


def test_it_prints_on_a4_with_appendix_2_landscape(chromium: Browser, pages: dict[str, Path], shots: Path
                                                   ) -> None:
    with chromium.page(pages["paper"].as_uri(), DESKTOP) as page:
        data = page.pdf()
    (shots / "paper-printed.pdf").write_bytes(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        sizes = [tuple(round(float(v)) for v in p.mediabox[2:]) for p in pdf.pages]
    portrait, landscape = tuple(round(v) for v in A4), tuple(round(v) for v in reversed(A4))
    first_landscape = sizes.index(landscape)
    assert set(sizes[:first_landscape]) == {portrait} and set(sizes[first_landscape:]) == {landscape}
    assert 15 <= first_landscape <= 40  # the Word paper's Appendix 2 starts on page 22 of 23


def test_screenshots_at_desktop_and_phone_widths(chromium: Browser, pages: dict[str, Path],
                                                 shots: Path) -> None:
    """For a person to look at: the top of the paper, its summary table, a KPI's chart and table,
    an activity indicator and Appendix 2, as a desktop and a 320 px phone show them."""
    written = []
    for width in (DESKTOP, PHONE):
        with chromium.page(pages["paper"].as_uri(), width) as page:
            for place in (None, "kpi-summary", "kpi-5", "activity-2", "appendix-2"):
                path = shots / f"paper-{width}-{place or 'top'}.png"
                written.append(page.screenshot(path, element_id=place))
        for name, place in (("council-wide", "kpi-summary"), ("hostile", "kpi-1"), ("gappy", "kpi-1")):
            with chromium.page(pages[name].as_uri(), width) as page:
                written.append(page.screenshot(shots / f"{name}-{width}-{place}.png", element_id=place))
    for path in written:
        width, _height = png_size(path)
        assert width in (DESKTOP, PHONE) and path.stat().st_size > 10_000
    print(f"\nscreenshots in {shots}")


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_page_type_is_declared_for_a_browser_opening_it_from_a_shared_drive(
        chromium: Browser, pages: dict[str, Path]) -> None:
    with chromium.page(pages["paper"].as_uri(), DESKTOP) as page:
        found = page.evaluate("[document.compatMode, document.characterSet, document.documentElement.lang, "
                              "document.title]")
    assert found == ["CSS1Compat", "UTF-8", "en-GB",
                     "Strategic and Corporate Services Performance Dashboard – Policy and Resources Cabinet "
                     "Committee – 29 July 2020"]

