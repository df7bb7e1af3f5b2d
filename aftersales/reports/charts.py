"""Charts for the PDF, drawn as SVG in Python (WeasyPrint embeds them as images; no browser, no JavaScript).

Horizontal bars, because the labels are Chinese words of varying length and read best on the left. Text uses the
CJK font the PDF embeds. Every label is XML-escaped: it may come from a customer's equipment name.
"""

import base64
from collections.abc import Sequence
from xml.sax.saxutils import escape

FONT = "WenQuanYi Zen Hei, sans-serif"
WIDTH = 640
ROW = 26
BAR = 16
LABEL_WIDTH = 200
VALUE_WIDTH = 80
TOP = 8
COLOURS = {"bar": "#206bc4", "good": "#2fb344", "bad": "#d63939", "grid": "#d0d7de", "text": "#1d273b"}


def _svg(height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" font-size="12" fill="{COLOURS["text"]}">'
        + "".join(body)
        + "</svg>"
    )


def _fit(label: str, limit: int = 16) -> str:
    """Long names are cut with an ellipsis so they stay left of the bars (a CJK character is ~12 px)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(rows: Sequence[tuple[str, float]], *, unit: str = "") -> str:
    """One bar per (label, value), scaled to the largest value."""
    largest = max((value for _label, value in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    body = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * ROW
        length = max(span * value / largest, 1 if value else 0)
        body += [
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 3}" text-anchor="end">{escape(_fit(label))}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{COLOURS["bar"]}"/>',
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR - 3}">{_number(value)}{escape(unit)}</text>',
        ]
    return _svg(TOP * 2 + ROW * max(len(rows), 1), body)


def percent_chart(rows: Sequence[tuple[str, float | None]], *, expected: float) -> str:
    """Bars from 0 to 100 %, green at or above `expected` (drawn as a dashed line), red below; "—" when unknown."""
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    body = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * ROW
        body.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 3}" text-anchor="end">{escape(_fit(label))}</text>')
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{span}" height="{BAR}" fill="none" stroke="{COLOURS["grid"]}"/>'
        )
        if value is None:
            body.append(f'<text x="{LABEL_WIDTH + span + 6}" y="{y + BAR - 3}">—</text>')
            continue
        colour = COLOURS["good"] if value >= expected else COLOURS["bad"]
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{span * value / 100:.1f}" height="{BAR}" fill="{colour}"/>'
        )
        body.append(f'<text x="{LABEL_WIDTH + span + 6}" y="{y + BAR - 3}">{_number(value)}%</text>')
    height = TOP * 2 + ROW * max(len(rows), 1)
    x = LABEL_WIDTH + span * expected / 100
    body.append(
        f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{height - 2}" stroke="{COLOURS["text"]}" stroke-dasharray="4 3"/>'
    )
    return _svg(height, body)


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".") if value > 99 else f"{value:.1f}"


def data_uri(svg: str) -> str:
    """The chart as an image source WeasyPrint reads without fetching anything."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
