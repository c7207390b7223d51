"""The sandbox a paper template renders in: plain data only, every attribute and call allow-listed,
and one budget of loop steps, text and time for the whole render.

A council's template is a file from outside the tool, so it is treated like input: it can read the
values kpi-excel hands it (dicts, lists, strings, numbers and one opaque markup value per chart)
and use Jinja's own loop helpers, and nothing else. Jinja's stock sandbox refuses only names that
start with "_", so any object handed to a template would expose its public methods; here nothing
is reachable that is not on the lists below.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment, safe_range
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

# Side-effect-free string methods a template may call ({{ kpi.name.upper() }}); none can make a
# string much longer than its input
STRING_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "isdigit", "isspace", "lower", "lstrip",
    "removeprefix", "removesuffix", "rfind", "rstrip", "split", "startswith", "strip", "swapcase",
    "title", "upper",
})
LOOP_ATTRIBUTES = frozenset({
    "index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
    "previtem", "nextitem", "cycle", "changed",
})
CYCLER_ATTRIBUTES = frozenset({"current", "next", "reset"})
DATE_ATTRIBUTES = frozenset({"year", "month", "day"})
_PLAIN_CONTAINERS = (dict, list, tuple, str)

# The budget of one paper grows with its indicators. The shipped template takes about 40 steps
# and 18,000 characters of its own text per indicator: the budget is five times that, so a
# template that loops without end stops within a second.
STEPS_BASE, STEPS_PER_ITEM = 100_000, 200  # loop iterations and calls, in total
TEXT_BASE, TEXT_PER_ITEM = 5_000_000, 100_000  # characters of the template's text repeated by loops
MAX_SECONDS = 600.0
MAX_VALUE_LENGTH = 1_000_000  # one string or list a tag makes (a*b, a~b, a|center(n))
MAX_NUMBER = 1_000_000  # a count or width a filter or format is given
_STEP = "kpi_excel_step"  # the filter every loop's iterable passes through
_TEXT = "kpi_excel_text"  # the filter every ~ concatenation passes through


_FIX_LOOP = "Loop over the lists kpi-excel provides (docs/paper.md) rather than over range()"
_FIX_VALUE = "Remove the tag that makes so large a value"


class TemplateBudgetError(jinja2.TemplateRuntimeError):
    """A template asked for more work than any paper needs: a loop without end, say."""

    def __init__(self, message: str, fix: str = _FIX_VALUE) -> None:
        super().__init__(message)
        self.fix = fix


class ChartMarkup:
    """What {{ kpi.chart }} holds: the chart's markup, made when the tag prints it, and nothing else
    a template can reach (no attributes, no methods; what makes it is out of reach)."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make

    def __html__(self) -> str:
        return self._make()

    __str__ = __html__


@dataclass
class Budget:
    """What one render may use, and has used: loop steps and calls, text repeated, and time."""

    max_steps: int
    max_text: int
    steps: int = 0
    text: int = 0
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def for_items(cls, items: int) -> Budget:
        return cls(STEPS_BASE + STEPS_PER_ITEM * items, TEXT_BASE + TEXT_PER_ITEM * items)

    def spend(self, steps: int = 1, text: int = 0) -> None:
        self.steps += steps
        self.text += text
        if self.steps > self.max_steps:
            raise TemplateBudgetError(f"the template repeats a tag more than {self.max_steps:,} times "
                                      "in all", _FIX_LOOP)
        if self.text > self.max_text:
            raise TemplateBudgetError(f"the template's loops repeat more than {self.max_text:,} "
                                      "characters of its own text", _FIX_LOOP)
        if self.steps % 1024 == 0 and time.monotonic() - self.started > MAX_SECONDS:
            raise TemplateBudgetError(f"the template took more than {MAX_SECONDS:.0f} seconds to fill",
                                      _FIX_LOOP)


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("kpi_excel_budget", default=None)


@contextlib.contextmanager
def budgeted(items: int) -> Iterator[Budget]:
    """One budget for everything rendered inside (the body, headers, footers and properties), for
    a paper of so many items (indicators and proposals)."""
    budget = Budget.for_items(items)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _spend(steps: int = 1, text: int = 0) -> None:
    budget = _BUDGET.get()
    if budget is not None:  # None while a template compiles (Jinja folds constants then)
        budget.spend(steps, text)


def _stepped(iterable: Any, text: int = 0) -> Iterator[Any]:
    for item in iterable:
        _spend(1, text)
        yield item


def _bounded_text(value: Any) -> Any:
    _check_size(value)
    return value


def _check_size(value: Any, length: int | None = None) -> None:
    if length is None:
        length = len(value) if isinstance(value, (str, list, tuple)) else 0
    if length > MAX_VALUE_LENGTH:
        raise TemplateBudgetError(f"a tag makes a value of more than {MAX_VALUE_LENGTH:,} characters "
                                  "or items")


def _check_number(value: Any) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise TemplateBudgetError(f"a tag gives a count or width above {MAX_NUMBER:,}")


_FORMAT_WIDTH = re.compile(r"\d{7,}")


def _check_format(text: Any) -> None:
    """A %-format or format spec asking for a width of millions of characters."""
    if isinstance(text, str) and "%" in text and _FORMAT_WIDTH.search(text):
        raise TemplateBudgetError(f"a format asks for a width above {MAX_NUMBER:,}")


def _sized_product(left: Any, right: Any) -> Any:
    for count, seq in ((left, right), (right, left)):
        if isinstance(count, int) and isinstance(seq, (str, list, tuple)):
            _check_size(seq, count * len(seq))
    return operator.mul(left, right)


def _sized_power(left: Any, right: Any) -> Any:
    numbers = isinstance(right, (int, float)) and isinstance(left, (int, float))
    if numbers and abs(right) > 64 and abs(left) > 1:
        raise TemplateBudgetError("a tag raises a number to a power above 64")
    return operator.pow(left, right)


def _sized_sum(left: Any, right: Any) -> Any:
    result = operator.add(left, right)
    _check_size(result)
    return result


def _sized_format(left: Any, right: Any) -> Any:
    _check_format(left)
    return operator.mod(left, right)


_BINOPS: Mapping[str, Callable[[Any, Any], Any]] = {"*": _sized_product, "**": _sized_power,
                                                     "+": _sized_sum, "%": _sized_format}


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A stock filter whose counts, widths and result are held within the budget."""
    first = 1 if hasattr(function, "jinja_pass_arg") else 0  # the environment or context comes first

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        for value in (*args[first + 1:], *kwargs.values()):  # the counts and widths, not the value
            _check_number(value)
        if name == "format" and len(args) > first:
            _check_format(args[first])
        result = function(*args, **kwargs)
        _check_size(result)
        return result
    for flag in ("jinja_pass_arg",):  # keep how Jinja passes the environment or context
        if hasattr(function, flag):
            setattr(bounded, flag, getattr(function, flag))
    bounded.__name__ = name
    return bounded


def _text_in(body: Iterable[nodes.Node]) -> int:
    """How many characters of the template's own text a loop body repeats each time round."""
    return sum(len(data.data) for node in body for data in node.find_all(nodes.TemplateData))


class PaperSandbox(SandboxedEnvironment):
    """Jinja's sandbox narrowed to plain data: attributes and calls on the allow-lists above only,
    every loop step and call counted against one budget, and sizes bounded."""

    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # lipsum is left out: it makes text, and no paper needs it
        self.globals = {"range": safe_range, "dict": dict, "cycler": Cycler, "joiner": Joiner,
                        "namespace": Namespace}
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}
        self.filters[_STEP] = _stepped
        self.filters[_TEXT] = _bounded_text
        self._safe_globals = frozenset(id(value) for value in self.globals.values())

    # every loop's iterable goes through _STEP and every ~ through _TEXT: Jinja compiles a loop to
    # a plain Python for, which nothing else can count
    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        return super()._generate(_Counted().visit(source), name, filename, defer_init)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend()
        return _BINOPS[operator](left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, str):
            return attr in STRING_METHODS
        if isinstance(obj, LoopContext):
            return attr in LOOP_ATTRIBUTES
        if isinstance(obj, Namespace):
            return True  # the template's own values, set with {% set ns.name = ... %}
        if isinstance(obj, Cycler):
            return attr in CYCLER_ATTRIBUTES
        if isinstance(obj, (dt.date, dt.datetime)):
            return attr in DATE_ATTRIBUTES
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        if id(obj) in self._safe_globals or isinstance(obj, (Macro, LoopContext, Joiner)):
            return True
        owner = getattr(obj, "__self__", None)
        name = getattr(obj, "__name__", "")
        if isinstance(owner, str):
            return name in STRING_METHODS
        if isinstance(owner, LoopContext):
            return name in ("cycle", "changed")
        if isinstance(owner, Cycler):
            return name in ("next", "reset")
        return False

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _spend()
        if isinstance(__obj, jinja2.Undefined):  # a name kpi-excel does not provide: say which
            __obj._fail_with_undefined_error()
        if not __self.is_safe_callable(__obj):
            raise jinja2.exceptions.SecurityError(f"{_kind(__obj)} cannot be called in a template")
        result = __context.call(__obj, *args, **kwargs)
        _check_size(result)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, jinja2.Undefined):  # the first name that failed is the one to report
            obj._fail_with_undefined_error()
        if isinstance(obj, dict):  # a value's fields are its keys, never the dict's methods
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return self._allowed(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, jinja2.Undefined):
            obj._fail_with_undefined_error()
        if isinstance(obj, _PLAIN_CONTAINERS):
            try:
                return obj[argument]
            except (TypeError, LookupError):
                pass
        if isinstance(argument, str) and not isinstance(obj, dict):
            return self._allowed(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def _allowed(self, obj: Any, attribute: str) -> Any:
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return self.undefined(obj=obj, name=attribute)
        if self.is_safe_attribute(obj, attribute, value):
            return value
        return self.undefined(f"a template may not use '{attribute}' of {_kind(obj)}", name=attribute,
                              obj=obj, exc=jinja2.exceptions.SecurityError)


class _Counted(NodeTransformer):
    """A compiled template whose loops count their steps and whose ~ joins are size-checked."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (the visitor's naming)
        self.generic_visit(node)
        text = nodes.Const(_text_in(node.body))
        node.iter = nodes.Filter(node.iter, _STEP, [text], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return nodes.Filter(node, _TEXT, [], [], None, None, lineno=node.lineno)


def _kind(obj: Any) -> str:
    """An object as a template author would understand it, never its Python repr."""
    if isinstance(obj, ChartMarkup):
        return "a chart"
    if isinstance(obj, (dict, list, tuple)):
        return "a list or table of values"
    if isinstance(obj, (str, Markup)):
        return "a text"
    return "this value"
