"""The per-department report of a closed cycle, as PDF (reportlab) and XLSX (openpyxl).

In the department's language (`report_language`), with the same figures as the scorecards.
The PDF embeds a CJK TrueType font (a subset, with its Unicode map): a viewer without Chinese
fonts still shows every cell, and text extraction, search and screen readers read it back.
The font file is `settings.CIVICWORKS_PDF_FONT` (default: Debian's fonts-wqy-microhei).
"""

from collections import Counter
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from civicworks.accounts.models import Role
from projects.models import Department

from .findings import number
from .models import RectificationOrder, ReviewCycle, Scorecard

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"
FONT_PACKAGE = "fonts-wqy-microhei"


def font_path() -> Path:
    return Path(getattr(settings, "CIVICWORKS_PDF_FONT", "") or DEFAULT_FONT)


def font_available() -> bool:
    return font_path().is_file()


def pdf_font() -> str:
    """The CJK TrueType font, registered once; a clear error when its file is missing."""
    path = font_path()
    if not path.is_file():
        raise ImproperlyConfigured(
            f"The PDF reports need a Chinese TrueType font at {path}: install the Debian package {FONT_PACKAGE} "
            "or point CIVICWORKS_PDF_FONT at a .ttf/.ttc file."
        )
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def report_language(department: Department) -> str:
    """The language most of the department's officials read (their accounts' language), else the site's."""
    people = department.members.filter(is_active=True, role__in=[Role.OFFICIAL, Role.MANAGER])
    languages = Counter(language for language in people.values_list("language", flat=True) if language)
    return languages.most_common(1)[0][0] if languages else settings.LANGUAGE_CODE


def score(value) -> str:
    return number(value) if value is not None else "—"


def change(value) -> str:
    return "—" if value is None else ("+" if value > 0 else "") + number(value)


def score_header() -> list[str]:
    return [
        pgettext("evaluation", "Code"),
        pgettext("evaluation", "Project"),
        pgettext("evaluation", "Satisfaction"),
        pgettext("evaluation", "Acceptance"),
        pgettext("evaluation", "Indicators"),
        pgettext("evaluation", "Score"),
        pgettext("evaluation", "Grade"),
        _("Rank in category"),
        _("Rank in district"),
        pgettext("evaluation", "Change"),
    ]


def score_cells(card: Scorecard) -> list[str]:
    return [
        card.project.code,
        card.project.title,
        score(card.satisfaction_score),
        score(card.acceptance_score),
        score(card.indicators_score),
        score(card.total),
        str(card.get_grade_display()),
        score_rank(card.rank_in_category),
        score_rank(card.rank_in_district),
        change(card.change),
    ]


def score_rank(value) -> str:
    return "—" if value is None else str(value)


def order_header() -> list[str]:
    return [
        pgettext("evaluation", "Code"),
        pgettext("evaluation", "Findings"),
        _("Responsible person"),
        pgettext("evaluation", "Deadline"),
        pgettext("evaluation", "Status"),
    ]


def order_status(order: RectificationOrder) -> str:
    status = str(order.get_status_display())
    return f"{status} · {pgettext('rectification', 'Overdue')}" if order.is_overdue else status


# --- PDF -----------------------------------------------------------------------------------------------


def styles() -> dict[str, ParagraphStyle]:
    font = pdf_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=15, leading=20),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=10, leading=14),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12),
        "number": ParagraphStyle("number", fontName=font, fontSize=9, leading=12, alignment=2),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped.replace("\n", "<br/>"), style)


NUMBER_COLUMNS = {2, 3, 4, 5, 7, 8, 9}


def pdf_rows(header: list[str], rows: list[list[str]], st: dict, numbers: set[int] = frozenset()) -> list[list]:
    head = [paragraph(h, st["cell"]) for h in header]
    body = [[paragraph(t, st["number"] if i in numbers else st["cell"]) for i, t in enumerate(row)] for row in rows]
    return [head, *body]


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
    st = styles()
    buffer = BytesIO()
    title = _("Quarterly evaluation %(cycle)s: %(department)s") % {"cycle": cycle, "department": department.name}
    subtitle = _("%(n)d projects · pass mark %(pass_mark)s · %(orders)d rectification orders") % {
        "n": len(cards),
        "pass_mark": number(cycle.scheme.pass_mark),
        "orders": len(orders),
    }
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, lang=translation.get_language())
    story = [
        paragraph(title, st["title"]),
        paragraph(subtitle, st["subtitle"]),
        Spacer(1, 4 * mm),
        grid(
            pdf_rows(score_header(), [score_cells(c) for c in cards], st, NUMBER_COLUMNS),
            [26, 64, 20, 20, 20, 18, 20, 18, 18, 18],
        ),  # fmt: skip
    ]
    if orders:
        rows = [
            [o.project.code, o.findings_text(), o.responsible_person, o.deadline.isoformat(), order_status(o)]
            for o in orders
        ]
        story += [
            Spacer(1, 6 * mm),
            paragraph(_("Rectification orders"), st["title"]),
            grid(pdf_rows(order_header(), rows, st), [26, 150, 32, 24, 40]),
        ]
    doc.build(story)
    return buffer.getvalue()


# --- XLSX ----------------------------------------------------------------------------------------------

SCORE_FORMAT = "0.00"


def sheet_title(text: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\."""
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31]


def fill_scores(sheet: Worksheet, cards: list[Scorecard]) -> None:
    sheet.append(score_header())
    for card in cards:
        sheet.append([
            card.project.code, card.project.title, card.satisfaction_score, card.acceptance_score,
            card.indicators_score, card.total, str(card.get_grade_display()), card.rank_in_category,
            card.rank_in_district, card.change,
        ])  # fmt: skip
    for column in ("C", "D", "E", "F", "J"):
        for cell in sheet[column][1:]:
            cell.number_format = SCORE_FORMAT


def fill_orders(sheet: Worksheet, orders: list[RectificationOrder]) -> None:
    sheet.append(order_header())
    for order in orders:
        sheet.append([order.project.code, order.findings_text(), order.responsible_person, order.deadline,
                      order_status(order)])  # fmt: skip
        sheet.cell(row=sheet.max_row, column=4).number_format = "yyyy-mm-dd"


def build_xlsx(
    cycle: ReviewCycle, department: Department, cards: list[Scorecard], orders: list[RectificationOrder]
) -> bytes:
    book = Workbook()
    scores = book.active
    scores.title = sheet_title(pgettext("sheet", "Scorecards"))
    fill_scores(scores, cards)
    fill_orders(book.create_sheet(sheet_title(pgettext("sheet", "Rectification orders"))), orders)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_both(cycle: ReviewCycle, department: Department) -> tuple[bytes, bytes]:
    """In the department's language (Chinese for the city's departments)."""
    from .selectors import department_orders, department_scorecards

    cards = list(department_scorecards(cycle, department))
    orders = list(department_orders(cycle, department))
    with translation.override(report_language(department)):
        return build_pdf(cycle, department, cards, orders), build_xlsx(cycle, department, cards, orders)
