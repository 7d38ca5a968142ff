"""The per-department report of a closed cycle, as PDF (reportlab) and XLSX (openpyxl).

Chinese text uses reportlab's built-in CID font STSong-Light (no font file to ship). Project
codes and scores are also printed in Helvetica so that text extraction (pypdf, screen
readers, search) reads them back exactly.
"""

from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from projects.models import Department

from .models import RectificationOrder, ReviewCycle, Scorecard

CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
TITLE = ParagraphStyle("title", fontName=CJK_FONT, fontSize=15, leading=20)
BODY = ParagraphStyle("body", fontName=CJK_FONT, fontSize=9, leading=12)
ASCII = ParagraphStyle("ascii", fontName="Helvetica", fontSize=9, leading=12)


def plain(value) -> str:
    return "-" if value is None else str(value)


def table_rows(header: list[str], items, cells) -> list[list]:
    """The header in the body font, then a row of `cells(item)`, each a (text, style) pair, per item."""
    return [[Paragraph(h, BODY) for h in header], *([Paragraph(t, style) for t, style in cells(i)] for i in items)]


def score_rows(cards: list[Scorecard]) -> list[list]:
    header = [
        pgettext("evaluation", "Code"),
        pgettext("evaluation", "Project"),
        pgettext("evaluation", "Satisfaction"),
        pgettext("evaluation", "Acceptance"),
        pgettext("evaluation", "Indicators"),
        pgettext("evaluation", "Score"),
        pgettext("evaluation", "Grade"),
        pgettext("evaluation", "Change"),
    ]
    return table_rows(header, cards, lambda card: [
        (card.project.code, ASCII),
        (card.project.title, BODY),
        (plain(card.satisfaction_score), ASCII),
        (plain(card.acceptance_score), ASCII),
        (plain(card.indicators_score), ASCII),
        (f"{card.project.code} {plain(card.total)}", ASCII),
        (card.get_grade_display(), BODY),
        (plain(card.change), ASCII),
    ])  # fmt: skip


def order_rows(orders: list[RectificationOrder]) -> list[list]:
    header = [
        pgettext("evaluation", "Code"),
        pgettext("evaluation", "Findings"),
        _("Responsible person"),
        pgettext("evaluation", "Deadline"),
        pgettext("evaluation", "Status"),
    ]
    return table_rows(header, orders, lambda order: [
        (order.project.code, ASCII),
        (order.findings.replace("\n", "<br/>"), BODY),
        (order.responsible_person, BODY),
        (order.deadline.isoformat(), ASCII),
        (order.get_status_display(), BODY),
    ])  # fmt: skip


def grid(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def build_pdf(
    cycle: ReviewCycle, department: Department, cards: list[Scorecard], orders: list[RectificationOrder]
) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=f"{cycle} {department.name}")
    title = _("Quarterly evaluation %(cycle)s: %(department)s") % {"cycle": cycle, "department": department.name}
    story = [
        Paragraph(title, TITLE),
        Paragraph(f"Review cycle {cycle} - {len(cards)} projects", ASCII),
        Spacer(1, 4 * mm),
        grid(score_rows(cards), [28, 80, 22, 22, 22, 38, 22, 20]),
    ]
    if orders:
        story += [
            Spacer(1, 6 * mm),
            Paragraph(_("Rectification orders"), TITLE),
            grid(order_rows(orders), [28, 120, 35, 25, 40]),
        ]
    doc.build(story)
    return buffer.getvalue()


XLSX_COLUMNS = (
    ("code", pgettext_lazy("evaluation", "Code")),
    ("title", pgettext_lazy("evaluation", "Project")),
    ("satisfaction_score", pgettext_lazy("evaluation", "Satisfaction")),
    ("acceptance_score", pgettext_lazy("evaluation", "Acceptance")),
    ("indicators_score", pgettext_lazy("evaluation", "Indicators")),
    ("total", pgettext_lazy("evaluation", "Score")),
    ("grade", pgettext_lazy("evaluation", "Grade")),
    ("rank_in_category", gettext_lazy("Rank in category")),
    ("rank_in_district", gettext_lazy("Rank in district")),
    ("change", pgettext_lazy("evaluation", "Change")),
)


def build_xlsx(
    cycle: ReviewCycle, department: Department, cards: list[Scorecard], orders: list[RectificationOrder]
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Scorecards"
    sheet.append([str(label) for _key, label in XLSX_COLUMNS])
    for card in cards:
        values = {"code": card.project.code, "title": card.project.title, "grade": card.get_grade_display()}
        sheet.append([values.get(key, getattr(card, key, None)) for key, _label in XLSX_COLUMNS])
    orders_sheet = book.create_sheet("Rectification")
    orders_sheet.append(
        [
            pgettext("evaluation", "Code"),
            pgettext("evaluation", "Findings"),
            _("Responsible person"),
            pgettext("evaluation", "Deadline"),
            pgettext("evaluation", "Status"),
        ]
    )
    for order in orders:
        orders_sheet.append(
            [order.project.code, order.findings, order.responsible_person, order.deadline, order.get_status_display()]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_both(cycle: ReviewCycle, department: Department) -> tuple[bytes, bytes]:
    """In Chinese, the language of the departments that receive them."""
    from .selectors import department_orders, department_scorecards

    cards = list(department_scorecards(cycle, department))
    orders = list(department_orders(cycle, department))
    with translation.override("zh-hans"):
        return build_pdf(cycle, department, cards, orders), build_xlsx(cycle, department, cards, orders)
