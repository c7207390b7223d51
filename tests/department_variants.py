"""Department trackers that differ from the bundled sample the way real departments' trackers do.

Each variant is the sample (samples/make_sample.py: its data, its layout, its writer) changed in one
way a committee officer meets in a real year, written as an .xlsx by the sample's own maker. A
variant is a function of a folder that writes its workbook there and returns the path; its
docstring tells its story and what the paper should then show. VARIANTS lists them by name.

    from department_variants import VARIANTS
    path = VARIANTS["no-proposals"](tmp_path)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _load_maker() -> Any:
    """samples/make_sample.py as a module (the samples folder is not a package)."""
    if "make_sample" in sys.modules:
        return sys.modules["make_sample"]
    spec = importlib.util.spec_from_file_location("make_sample", ROOT / "samples" / "make_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample"] = module
    spec.loader.exec_module(module)
    return module


ms = _load_maker()
SAMPLE = ms.SAMPLE
Sections = Sequence[tuple[str, Sequence[dict]]]


# --- Changing the sample --------------------------------------------------------------------------


def kpi(code: str, sections: Sections = SAMPLE.sections) -> dict:
    """The sample's KPI with this code (a copy)."""
    return next(dict(k) for _section, kpis in sections for k in kpis if k["code"] == code)


def changed(sections: Sections, changes: Mapping[str, Mapping[str, object]]) -> tuple:
    """The sections with each KPI named in changes updated (a key set to None is removed)."""
    assert set(changes) <= {k["code"] for _s, kpis in sections for k in kpis}, "no such KPI"

    def apply(k: dict) -> dict:
        new = dict(k, **changes.get(k["code"], {}))
        return {key: value for key, value in new.items() if value is not None}

    return tuple((section, [apply(k) for k in kpis]) for section, kpis in sections)


def latest(values: Sequence[object], *new: object) -> list[object]:
    """The values with the last len(new) months replaced."""
    return list(values[: len(values) - len(new)]) + list(new)


def details(**given: object) -> tuple:
    """The sample's Paper details rows with some replaced (key=value) or dropped (key=None);
    keys as the sheet's first column, spaces as underscores (Meeting_date)."""
    wanted = {key.replace("_", " "): value for key, value in given.items()}
    rows = []
    for row in SAMPLE.details:
        if row[0] not in wanted:
            rows.append(row)
        elif wanted[row[0]] is not None:
            value = wanted.pop(row[0])
            rows.append((row[0], *value) if isinstance(value, tuple) else (row[0], value))
    rows.extend((key, value) for key, value in wanted.items() if value is not None)
    return tuple(rows)


def with_sections(sections: Sections) -> Any:
    """The sample with these sections, and next year's proposals made from them as the sample's are."""
    return replace(SAMPLE, sections=sections, proposals=tuple(ms.proposal_rows(sections)))


def write(folder: Path, name: str, tracker: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return ms.build(folder / f"{name}.xlsx", tracker)


# --- The variants ---------------------------------------------------------------------------------


def as_shipped(folder: Path) -> Path:
    """The bundled sample itself, written by its maker: the paper every other variant is compared with."""
    return write(folder, "as-shipped", SAMPLE)


def no_proposals(folder: Path) -> Path:
    """A mid-year paper: the first of three reports, with figures to September 2019, the columns for
    October to March still empty, and no proposals sheet (next year's KPIs come at year end).

    Commentary is as a department writes it in October. The paper has no Appendix 2, so its last
    section is the portrait one of the cover report and Appendix 1: every page must still say
    "Page N of M".
    """
    def to_september(values: Sequence[object]) -> list[object]:
        return list(values[:6]) + [None] * 6

    comments = {
        "CS05": "77.9% in September: two advisers were on long-term leave over the summer. Two new "
                "advisers start in October.",
        "GL02": "Just under target in September as requests rose after the summer. Overdue requests are "
                "now reviewed weekly.",
        "FN11": "Below target in September: assessments are held up when clients return financial "
                "information late. The team now sends reminders on day 5 and day 10.",
    }
    def in_october(k: dict) -> dict:
        rest = {key: value for key, value in k.items() if key != "comment"}
        written = {"comment": comments[k["code"]]} if k["code"] in comments else {}
        return {**rest, "values": to_september(k["values"]), **written}

    sections = tuple((section, [in_october(k) for k in kpis]) for section, kpis in SAMPLE.sections)
    activity = tuple((*a[:5], to_september(a[5]), "") for a in SAMPLE.activity)
    tracker = replace(SAMPLE, sections=sections, activity=activity, proposals=None,
                      details=details(Meeting_date=dt.datetime(2019, 11, 20), Report_number=1))
    return write(folder, "no-proposals", tracker)


def polarity_change(folder: Path) -> Path:
    """Next year two KPIs change polarity on the proposals sheet.

    FN05 is redefined as its complement ("over 60 days old" instead of "under 60 days old"), so lower
    becomes better, with a target (25%) and floor (43%) that fit the new polarity. FN07's polarity
    is typed L by mistake while its target (90%) and floor (85%) stay as they were, so for next year
    the floor is on the wrong side of the target. The paper should show each KPI's polarity for this
    year in Appendix 1 and beside this year's figures in Appendix 2, call a change of polarity a
    change (paragraph 2.6 and the Change column), and `check` should warn about FN07.
    """
    proposals = [dict(row) for row in SAMPLE.proposals]
    for row in proposals:
        if row["code"] == "FN05":
            row.update(name="Sundry debt due to KCC over 60 days old", pol="L", target=25, floor=43)
        elif row["code"] == "FN07":
            row.update(pol="L")
    note = ("Unchanged from 2019/20 except: the CS04a and CS04b floor standards rise from 85% to 90%; FN05 "
            "now counts debt over 60 days old (lower is better); FN07 is now lower-is-better.")
    tracker = replace(SAMPLE, proposals=tuple(proposals), proposals_note=note)
    return write(folder, "polarity-change", tracker)


def new_and_dropped(folder: Path) -> Path:
    """Next year three KPIs are new and two are not proposed again (ICT05, HR25).

    The new KPIs are typed as departments type them: CS08's target and floor as 0.9 and 0.8 with
    no number format (it is a percentage of webchats: every other percentage prints as 90.0%),
    HR30's as 8.5 and 10 days (a plain number, rightly), and GL04's as 95% and 90% in a
    percentage format. The paper must print CS08's figures as percentages or warn naming the
    cells, never "0.9" beside "90.0%".
    """
    dropped = {"ICT05", "HR25"}
    proposals = [dict(row) for row in SAMPLE.proposals if row["code"] not in dropped]
    proposals += [
        dict(code="CS08", name="Webchat enquiries resolved at the first contact", pol="H", target=0.9,
             floor=0.8, percent=False),
        dict(code="HR30", name="Working days lost to sickness per full-time equivalent employee", pol="L",
             target=8.5, floor=10, percent=False),
        dict(code="GL04", name="Members' enquiries answered within 10 working days", pol="H", target=95,
             floor=90),
    ]
    note = ("New KPIs for webchat, sickness absence and Members' enquiries; ICT05 and HR25 are not "
            "proposed again. Floor standards for CS04a and CS04b rise from 85% to 90%.")
    tracker = replace(SAMPLE, proposals=tuple(proposals), proposals_note=note)
    return write(folder, "new-and-dropped", tracker)


def many_reds(folder: Path) -> Path:
    """A hard March: eight KPIs Red, three of them (GL03, FN02, FN08) with no commentary, and CS07
    Amber with none.

    `check` and `build` should warn for every Red and Amber KPI without commentary, and the paper
    should show a highlighted placeholder where a Red KPI's commentary should be.
    """
    s = SAMPLE.sections
    changes: dict[str, dict[str, object]] = {
        "CS01": {"values": latest(kpi("CS01", s)["values"], 91.2, 89.1),
                 "comment": "Fell to 89.1% in March as advisers took calls on unfamiliar COVID-19 topics; "
                            "briefings are now issued daily."},
        "CS04a": {"values": latest(kpi("CS04a", s)["values"], 88.9, 83.0),
                  "comment": "Calls rose sharply in March with COVID-19 enquiries while advisers moved to "
                             "home working."},
        "CS05": {"values": latest(kpi("CS05", s)["values"], 68.2),
                 "comment": "Fell to 68.2% in March as call volumes rose sharply with COVID-19 enquiries. "
                            "Extra advisers are being trained."},
        "CS07": {"values": latest(kpi("CS07", s)["values"], 83.0), "comment": None},
        "GL03": {"values": latest(kpi("GL03", s)["values"], 84.1), "comment": None},
        "FN02": {"values": latest(kpi("FN02", s)["values"], 83.9)},
        "FN08": {"values": latest(kpi("FN08", s)["values"], 94.2)},
        "HR25": {"values": latest(kpi("HR25", s)["values"], 78.4),
                 "comment": "Inductions were paused in March when face-to-face sessions stopped; an online "
                            "induction starts in May."},
    }
    return write(folder, "many-reds", with_sections(changed(s, changes)))


def contradicted_commentary(folder: Path) -> Path:
    """Commentary left from an earlier month that the figures now contradict.

    FN06 (lower is better) rose every month to 21.8%, above its 20% floor, so it is Red, but its
    commentary still says older debt "has fallen steadily". HR23 fell every month and is Amber while
    its commentary says completion "has improved month on month". CS04a fell below target while its
    commentary says it "stayed above target". `check` should warn for each, naming the cell.
    """
    s = SAMPLE.sections
    fn06 = [13.5, 14.1, 14.6, 15.0, 15.4, 15.9, 16.8, 17.6, 18.4, 19.3, 20.5, 21.8]
    hr23 = [91.3, 90.8, 90.2, 89.4, 88.9, 88.1, 87.5, 86.8, 86.2, 85.6, 84.9, 84.1]
    changes: dict[str, dict[str, object]] = {
        "FN06": {"values": fn06},  # the sample's commentary: "Older debt has fallen steadily ..."
        "HR23": {"values": hr23, "comment": "Completion has improved month on month as managers follow up "
                                            "overdue learning."},
        "CS04a": {"values": latest(kpi("CS04a", s)["values"], 93.1)},  # "... but stayed above target."
    }
    return write(folder, "contradicted-commentary", with_sections(changed(s, changes)))


def blank_details(folder: Path) -> Path:
    """A Paper details sheet with its header row and nothing under it.

    The service is still named by the tracker's title row ("Strategic and Corporate Services – KPI
    tracker 2019/20"); the paper should take it from there, and show highlighted placeholders for
    every other detail (classification, contacts' phone and email included), never a silent
    "Unrestricted".
    """
    return write(folder, "blank-details", replace(SAMPLE, details=()))


def partial_details(folder: Path) -> Path:
    """A Paper details sheet half filled in: service, committee and meeting date; a report author with
    a name and role but no team, phone or email; no From, no relevant director, no classification,
    no subject. Every gap should be a highlighted placeholder that `build` warns about.
    """
    rows = (
        ("Service", "Strategic and Corporate Services"),
        ("Committee", "Policy and Resources Cabinet Committee"),
        ("Meeting date", dt.datetime(2020, 7, 29)),
        ("Report author", "Rachel Kennard", "Chief Analyst"),
    )
    return write(folder, "partial-details", replace(SAMPLE, details=rows))


GL02_LONG = (
    "89.0% in March, below the 90% floor standard. The number of requests completed within 20 working "
    "days has drifted down since the autumn, and March was the lowest month of the year. Three things "
    "explain most of the fall. First, services had less capacity to gather information during the "
    "COVID-19 response: officers who would normally search records and draft responses were moved to "
    "frontline work, and some teams could not reach paper files once buildings closed. Second, the "
    "requests themselves have become larger and more complex. A growing share ask for information held "
    "by several directorates, such as contracts, spending and correspondence over several years, and "
    "each of these needs coordinating across teams before it can be answered. Third, the Information "
    "Resilience and Transparency team carried two vacancies for most of the second half of the year, "
    "which left less time to chase overdue responses and to advise services on exemptions. The team "
    "has taken several steps. Overdue requests are now reviewed weekly with each directorate's FOI "
    "coordinator, and the oldest cases are escalated to the relevant director. Directorate coordinators "
    "are being given a refresher on the 20-day deadline and on when the deadline may lawfully be "
    "extended to consider the public interest. A request-tracking report now shows each coordinator "
    "the requests due in the next five days. Both vacancies have been filled, and the new officers "
    "start in May. Requesters are told promptly when a response will be late, and why, so that "
    "complaints to the Information Commissioner are avoided. The team expects performance to return to "
    "the floor standard by the summer and to the 92% target by the end of the next financial year, "
    "provided that services can again release officers to answer requests on time."
)


def long_commentary(folder: Path) -> Path:
    """GL02, the one Red KPI, has a 300-word commentary: a block that long cannot stay whole on a
    page, so it must break across pages without leaving the page before it half empty.
    """
    assert 280 <= len(GL02_LONG.split()) <= 320
    sections = changed(SAMPLE.sections, {"GL02": {"comment": GL02_LONG}})
    return write(folder, "long-commentary", with_sections(sections))


def _earlier_year(values: Sequence[object], years_back: int, polarity: str) -> list[object]:
    """A plausible earlier year: the same months a little worse (more so further back), with a
    deterministic wobble; text cells become the figure before them; blanks stay blank."""
    out: list[object] = []
    last = None
    for i, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        figure = value if isinstance(value, (int, float)) else last
        assert figure is not None
        last = figure
        wobble = ((i * 7 + years_back * 3) % 5 - 2) * 0.2
        worse = 0.6 * years_back if polarity == "H" else -0.6 * years_back
        out.append(round(min(100.0, max(0.0, float(figure) - worse + wobble)), 1))
    return out


def three_years(folder: Path) -> Path:
    """Thirty-six monthly columns, April 2017 to March 2020, as trackers that are never pruned have.

    The paper's charts and period tables should show the last twelve periods; the data before them
    must not change the ratings or the axis.
    """
    months = [dt.datetime(year + (m < 4), m, 1) for year in (2017, 2018, 2019)
              for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]

    def history(k: dict) -> dict:
        earlier = _earlier_year(k["values"], 2, k["pol"]) + _earlier_year(k["values"], 1, k["pol"])
        return dict(k, values=earlier + list(k["values"]))

    sections = tuple((section, [history(k) for k in kpis]) for section, kpis in SAMPLE.sections)
    activity = tuple((*a[:5], [round(v * 0.9) for v in a[5]] + [round(v * 0.95) for v in a[5]] + list(a[5]),
                      a[6]) for a in SAMPLE.activity)
    title = "Strategic and Corporate Services – KPI tracker 2017/18 to 2019/20"
    return write(folder, "three-years", replace(SAMPLE, title=title, months=tuple(months), sections=sections,
                                                activity=activity))


def _quarterly(values: Sequence[object]) -> list[object]:
    return [v if i % 3 == 2 else None for i, v in enumerate(values)]


def quarterly_mixed(folder: Path) -> Path:
    """Quarterly and monthly KPIs in one table of monthly columns: CS01, GL03, FN11, HR09, HR23 and
    PI04 have a figure only in the quarter's last month (Jun, Sep, Dec, Mar); FN11's Q4 figure is
    not in yet, so its latest is December, older than the report period (March).

    The paper should label a quarter's figure as the quarter (or its month consistently), chart
    four points on a quarterly chart, and say on the cover that FN11's latest figure is old.
    """
    s = SAMPLE.sections
    changes: dict[str, dict[str, object]] = {
        code: {"period": "Q", "values": _quarterly(kpi(code, s)["values"])}
        for code in ("CS01", "GL03", "HR23", "PI04")
    }
    fn11 = _quarterly(kpi("FN11", s)["values"])
    fn11[-1] = None
    changes["FN11"] = {"period": "Q", "values": fn11,
                       "comment": "Reported quarterly. The Q4 figure will be available in May."}
    changes["GL03"]["comment"] = ("Reported quarterly. Met the floor standard but not the target in Q4: "
                                  "several complex requests took longer to redact.")
    return write(folder, "quarterly-mixed", with_sections(changed(s, changes)))


def availability(folder: Path) -> Path:
    """Three availability KPIs (ICT03, ICT04, ICT05) between 99.3% and 100% against a 99.5% target
    and a 99.0% floor, with Amber months among them.

    Their charts must show the Amber months against the target line: an axis fitted to the data,
    the target and the floor (never more than about five times their span), not 87.5-100%.
    """
    s = SAMPLE.sections
    values = {
        "ICT03": [100, 99.9, 99.4, 99.7, 100, 99.9, 99.3, 99.6, 99.9, 100, 99.8, 99.4],
        "ICT04": [99.6, 99.8, 99.4, 99.7, 99.9, 99.5, 99.3, 99.8, 99.6, 99.7, 99.9, 99.6],
        "ICT05": [99.9, 100, 99.8, 99.4, 100, 99.7, 99.9, 100, 99.3, 99.8, 99.9, 99.3],
    }
    comments = {
        "ICT03": "99.4% in March: a planned upgrade of the network's core switches overran by two hours.",
        "ICT05": "99.3% in March: the email service was unavailable for three hours on 12 March while a "
                 "failed storage controller was replaced.",
    }
    changes: dict[str, dict[str, object]] = {
        code: {"target": 99.5, "floor": 99.0, "dp": 1, "values": v, "comment": comments.get(code)}
        for code, v in values.items()}
    return write(folder, "availability", with_sections(changed(s, changes)))


EXTRA_ACTIVITY: list[tuple[str, str, str, int, int, list[int], str]] = [
    ("ACT07", "Requests for social care records received from former service users and their families",
     "M", 40, 70, [52, 58, 61, 49, 44, 38, 35, 47, 66, 72, 79, 84],
     "Requests rose in the second half of the year after national media coverage of records access."),
    ("ACT08", "Reports of ICT faults logged with the service desk", "M", 3_500, 5_000,
     [4_210, 4_480, 3_960, 3_410, 3_280, 4_120, 4_650, 5_230, 4_870, 4_990, 5_410, 6_120],
     "Faults rose in March as staff moved to home working."),
    ("ACT09", "Job applications received through the council's recruitment site", "M", 2_000, 3_000,
     [2_450, 2_610, 2_380, 2_120, 1_940, 2_760, 2_880, 2_530, 1_870, 3_140, 2_960, 1_720],
     "Applications fell in March when recruitment was paused for all but essential roles."),
    ("ACT10", "Property helpdesk calls", "M", 900, 1_300,
     [1_050, 1_120, 980, 1_010, 940, 1_090, 1_160, 1_230, 1_010, 1_180, 1_140, 1_090], ""),
]


def activity_indicators(folder: Path) -> Path:
    """Ten activity indicators, four more than the sample's, with values that cross below and
    above their expected ranges during the year and one long name.

    Each chart draws the range's lower and upper lines, which must be told apart in colour and in
    greyscale; the activity blocks' headings must follow the levels above them (no H2 then H4).
    """
    tracker = replace(SAMPLE, activity=tuple(SAMPLE.activity) + tuple(EXTRA_ACTIVITY))
    return write(folder, "activity-indicators", tracker)


VARIANTS: dict[str, Callable[[Path], Path]] = {
    "as-shipped": as_shipped,
    "no-proposals": no_proposals,
    "polarity-change": polarity_change,
    "new-and-dropped": new_and_dropped,
    "many-reds": many_reds,
    "contradicted-commentary": contradicted_commentary,
    "blank-details": blank_details,
    "partial-details": partial_details,
    "long-commentary": long_commentary,
    "three-years": three_years,
    "quarterly-mixed": quarterly_mixed,
    "availability": availability,
    "activity-indicators": activity_indicators,
}


def write_all(folder: Path, names: Iterable[str] = VARIANTS) -> dict[str, Path]:
    """Every variant (or those named) written into folder."""
    return {name: VARIANTS[name](folder) for name in names}


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("variants")
    for name, path in write_all(out).items():
        print(f"{name}: {path}")
