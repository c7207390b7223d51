"""Text written into XML by hand: one escaping for element content and one for attributes."""

from __future__ import annotations


def escape(text: str) -> str:
    """Text as XML element content (xml.sax.saxutils would load urllib, http and ssl for this)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """Text as a double-quoted XML attribute value, line breaks and tabs kept as characters."""
    escaped = escape(text).replace('"', "&quot;")
    return '"' + escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'
