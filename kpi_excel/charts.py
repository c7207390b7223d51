"""Chart images for the paper: each indicator's values with its target and floor, or expected range."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

import matplotlib

matplotlib.use("Agg")  # no display: charts are only ever written to files

from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .formatting import format_value  # noqa: E402
from .model import Indicator, KpiType, Observation  # noqa: E402

CM = 1 / 2.54  # matplotlib sizes are in inches
DPI = 150
MAX_CHARTED = 1e100  # axis arithmetic overflows near the largest float (1.8e308): such values get a note
VALUE_COLOUR = "#1F4E79"
TARGET_COLOUR = "#00703C"
FLOOR_COLOUR = "#C00000"
RANGE_COLOUR = "#595959"
GRID_COLOUR = "#D9D9D9"
_FONTS = ("Arial", "Liberation Sans", "Helvetica", "DejaVu Sans")


@cache
def chart_font() -> str:
    """Arial where it is installed, else the closest sans-serif font matplotlib has."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in _FONTS if name in installed), "sans-serif")


def indicator_chart(indicator: Indicator, observations: Sequence[Observation], *,
                    width_cm: float = 16.0, height_cm: float = 5.3) -> bytes:
    """A PNG line chart of the values over the periods shown, with reference lines.

    KPIs get their target (dashed) and floor standard (dotted); activity indicators get their
    expected range (shaded, between dashed lines). The same input always gives the same bytes.
    """
    with matplotlib.rc_context({"font.family": chart_font(), "font.size": 7}):
        if not _chartable(indicator, observations):
            return _note("The values are too large to chart: see the table.", width_cm, height_cm)
        return _draw(indicator, observations, width_cm, height_cm)


def _chartable(indicator: Indicator, observations: Sequence[Observation]) -> bool:
    numbers = [o.value for o in observations] + [indicator.target, indicator.floor,
                                                  indicator.lower_threshold, indicator.upper_threshold]
    return all(abs(n) <= MAX_CHARTED for n in numbers if n is not None)


def _note(text: str, width_cm: float, height_cm: float) -> bytes:
    figure = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, text, ha="center", va="center", fontsize=8, color=VALUE_COLOUR)
    return _png(figure)


def _draw(indicator: Indicator, observations: Sequence[Observation], width_cm: float,
          height_cm: float) -> bytes:
    figure = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _style(axes)
    labels = [o.period.label for o in observations]
    points = [(i, o.value) for i, o in enumerate(observations) if o.value is not None]
    if indicator.type is KpiType.ACTIVITY:
        _range_lines(axes, indicator)
    else:
        _target_lines(axes, indicator)
    if points:
        axes.plot([x for x, _ in points], [y for _, y in points], color=VALUE_COLOUR, linewidth=1.8,
                  marker="o", markersize=3.5, label="Value", zorder=3)
        _label_latest(axes, points[-1], indicator)
    axes.set_xticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, indicator)))
    _limits(axes, [y for _, y in points], indicator)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4, frameon=False, fontsize=7)
    figure.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.3)
    return _png(figure)


def _style(axes: Axes) -> None:
    axes.tick_params(axis="both", labelsize=7, length=2)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)


def _target_lines(axes: Axes, indicator: Indicator) -> None:
    if indicator.target is not None:
        axes.axhline(indicator.target, color=TARGET_COLOUR, linestyle="--", linewidth=1.3,
                   label=f"Target ({format_value(indicator.target, indicator)})", zorder=2)
    if indicator.floor is not None:
        axes.axhline(indicator.floor, color=FLOOR_COLOUR, linestyle=":", linewidth=1.6,
                   label=f"Floor standard ({format_value(indicator.floor, indicator)})", zorder=2)


def _range_lines(axes: Axes, indicator: Indicator) -> None:
    low, high = indicator.lower_threshold, indicator.upper_threshold
    if low is not None and high is not None:
        axes.axhspan(low, high, color=RANGE_COLOUR, alpha=0.08, linewidth=0)
        label = (f"Expected range ({format_value(low, indicator)} to "
                 f"{format_value(high, indicator)})")
        axes.axhline(high, color=RANGE_COLOUR, linestyle="--", linewidth=1.1, label=label)
        axes.axhline(low, color=RANGE_COLOUR, linestyle="--", linewidth=1.1)
        return
    for value, name in ((low, "Lower threshold"), (high, "Upper threshold")):
        if value is not None:
            axes.axhline(value, color=RANGE_COLOUR, linestyle="--", linewidth=1.1,
                       label=f"{name} ({format_value(value, indicator)})")


def _label_latest(axes: Axes, point: tuple[int, float], indicator: Indicator) -> None:
    x, y = point
    axes.annotate(format_value(y, indicator), (x, y), xytext=(0, 6),
                  textcoords="offset points", ha="center", fontsize=7, color=VALUE_COLOUR,
                  fontweight="bold", bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8})


def _limits(axes: Axes, values: Sequence[float], indicator: Indicator) -> None:
    """Room for the data and every reference line, with a margin so labels stay inside."""
    lines = [indicator.target, indicator.floor, indicator.lower_threshold, indicator.upper_threshold]
    shown = list(values) + [v for v in lines if v is not None]
    if not shown:
        return
    low, high = min(shown), max(shown)
    margin = (high - low) * 0.15 or abs(high) * 0.05 or 1.0
    axes.set_ylim(low - margin, high + margin * 1.6)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # no Software/date chunks: the same chart is the same bytes, so the .docx is too
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
