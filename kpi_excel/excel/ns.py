"""The namespaces, relationship types and content types of the Office Open XML parts kpi-excel reads
and writes, each named once."""

from __future__ import annotations

_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006"

# spreadsheets
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # the same, as Excel's Strict format names it

# packages: every part's relationships
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
RELATIONSHIPS = f"{_OFFICE}/relationships"  # r:id and the relationship types below
CHART_RELATIONSHIP = f"{RELATIONSHIPS}/chart"
PACKAGE_RELATIONSHIP = f"{RELATIONSHIPS}/package"  # an embedded workbook
COMMENTS_RELATIONSHIP = f"{RELATIONSHIPS}/comments"
VML_RELATIONSHIP = f"{RELATIONSHIPS}/vmlDrawing"
CUSTOM_PROPERTIES_RELATIONSHIP = f"{RELATIONSHIPS}/custom-properties"

# document properties
CUSTOM_PROPERTIES = f"{_OFFICE}/custom-properties"
DOC_PROPS_TYPES = f"{_OFFICE}/docPropsVTypes"
EXTENDED_PROPERTIES = f"{_OFFICE}/extended-properties"
CUSTOM_PROPERTY_FORMAT = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format id custom properties use

# charts
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
WORD_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"

# content types
CUSTOM_PROPERTIES_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
WORKBOOK_FILE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"


def clark(namespace: str, name: str) -> str:
    """A name in ElementTree's {namespace}name form."""
    return f"{{{namespace}}}{name}"
