"""The monthly report (:mod:`hub.services.reports`) as files: one CSV and one XLSX holding the same table
(:func:`hub.domain.monthly_report.columns`), in Chinese by default.

* **CSV** — UTF-8 *with a byte-order mark* (``utf-8-sig``): Excel as installed in China opens a CSV without
  one in the system's legacy code page (GBK), and every Chinese header and name turns to mojibake; with the
  BOM it reads UTF-8.  Python's ``csv`` and pandas (``encoding="utf-8-sig"``) read it as well.  Rates are plain
  decimal fractions (``0.5000``), four places (a hundredth of a percent), a zero denominator an empty cell.
* **XLSX** (openpyxl) — the same rows with rates as numbers shown as percentages (``0.00%`` number format:
  the cell holds the fraction, so a formula over it still works), counts as integers, the total row in bold,
  and a second sheet of notes: scope, month, period, citations, how each rate is divided, and each 004 7.1
  requirement with its target and whether the hub counts it or has no source for it.

Both files are written under temporary names in the target directory and renamed only once both are
complete, so a failure leaves neither half a report nor a stale one of the same name.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hub.domain.data_quality import FIGURES, REQUIREMENTS
from hub.domain.monthly_report import CITATION, Column, columns, requirement_key, word
from hub.domain.recognition_metrics import COUNT_LABELS_EN, COUNT_LABELS_ZH, RATES
from hub.services.reports import MonthlyReport, ReportRow

#: how a rate is written in the CSV (a fraction, four decimal places: 0.01 %)
CSV_RATE_FORMAT = "{:.4f}"
#: the XLSX number formats by column kind
XLSX_FORMATS = {"count": "0", "rate": "0.00%"}


def file_stem(report: MonthlyReport) -> str:
    """``report-<scope>-<YYYY-MM>``: the scope's id or code, with anything a file name should not hold as ``_``."""
    scope = re.sub(r"[^0-9A-Za-z._-]", "_", report.scope)
    return f"report-{scope}-{report.month}"


def row_values(report: MonthlyReport, row: ReportRow, lang: str) -> dict[str, Any]:
    """The row's value for every column key (``None``: an empty cell)."""
    values: dict[str, Any] = {
        "institution": row.institution if row.institution is not None else word("total", lang),
        "institutionName": row.institution_name,
        "region": row.region,
        "regionName": row.region_name,
        "month": str(report.month),
        "citation": CITATION,
    }
    values.update({name: row.counts.count(name) for name in COUNT_LABELS_ZH})
    values.update(row.counts.rates())
    values.update({f.name: row.images.value(f.name) for f in FIGURES})
    values.update({requirement_key(q.clause): word("notProvided", lang) for q in REQUIREMENTS if q.source is None})
    return values


def table(report: MonthlyReport, lang: str) -> list[list[Any]]:
    """The report's rows (each institution, then the total) as cells in the order of its columns."""
    rows = [*report.rows, *([report.total] if report.total is not None else [])]
    return [[row_values(report, r, lang)[c.key] for c in columns(report.upload_clauses)] for r in rows]


def _csv_cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "rate":
        return CSV_RATE_FORMAT.format(value)
    return str(value)


def write_csv(report: MonthlyReport, path: Path, lang: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        header = columns(report.upload_clauses)
        out.writerow([c.label(lang) for c in header])
        for cells in table(report, lang):
            out.writerow([_csv_cell(c, v) for c, v in zip(header, cells, strict=True)])


def _width(text: str) -> int:
    """Display width in Excel's character units: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _notes(report: MonthlyReport, lang: str) -> list[list[Any]]:
    """The notes sheet: what the report covers, on what it rests, how each figure is made."""
    counts = COUNT_LABELS_EN if lang == "en" else COUNT_LABELS_ZH
    scope_kind = word("scopeInstitution" if report.institution is not None else "scopeRegion", lang)
    rows: list[list[Any]] = [
        [word("title", lang)],
        [],
        [word("heading", lang), word("value", lang)],
        [word("scope", lang), f"{scope_kind} {report.scope} {report.scope_name or ''}".strip()],
        [word("month", lang), str(report.month)],
        [word("period", lang), word("periodText", lang).format(first=report.month.first, last=report.month.last)],
        [word("citation", lang), word("citationText", lang)],
        [word("generated", lang), report.generated_at],
        [],
        [word("rates", lang)],
    ]
    for r in RATES:
        rows.append([r.label_en if lang == "en" else r.label_zh, word("rateText", lang).format(
            numerator=counts[r.numerator], denominator=counts[r.denominator], clause=r.clause)])
    rows += [[], [word("quality", lang), word("status", lang), word("target", lang), word("explanation", lang)]]
    for f in FIGURES:
        label = f.label_en if lang == "en" else f.label_zh
        rows.append([f"{label}（{report.upload_clauses}）" if lang != "en" else f"{label} ({report.upload_clauses})",
                     word("counted", lang),
                     None, f.meaning_en if lang == "en" else f.meaning_zh])
    for q in REQUIREMENTS:
        rows.append([f"{q.clause} {q.label_en if lang == 'en' else q.label_zh}: "
                     f"{q.measure_en if lang == 'en' else q.measure_zh}",
                     word("counted", lang) if q.source is not None else word("notProvided", lang),
                     q.target_en if lang == "en" else q.target_zh, q.why_en if lang == "en" else q.why_zh])
    return rows


def write_xlsx(report: MonthlyReport, path: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = word("sheet", lang)
    bold = Font(bold=True)
    header = columns(report.upload_clauses)
    sheet.append([c.label(lang) for c in header])
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    cells = table(report, lang)
    for values in cells:
        sheet.append(values)
    for col, column in enumerate(header, 1):
        fmt = XLSX_FORMATS.get(column.kind)
        if fmt:
            for r in range(2, len(cells) + 2):
                sheet.cell(r, col).number_format = fmt
        longest = max([_width(column.label(lang)) // 2 + 2, *(_width(str(v)) for v in
                                                               (row[col - 1] for row in cells) if v is not None)])
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = min(max(longest + 2, 8), 40)
    if report.total is not None:
        for cell in sheet[len(cells) + 1]:
            cell.font = bold
    sheet.freeze_panes = "C2"

    notes = book.create_sheet(word("notes", lang))
    for values in _notes(report, lang):
        notes.append(values)
    notes["A1"].font = notes["A3"].font = notes["B3"].font = bold
    notes.column_dimensions["A"].width = 44
    notes.column_dimensions["B"].width = 60
    notes.column_dimensions["D"].width = 80
    book.save(path)


@contextlib.contextmanager
def _staged(directory: Path, name: str) -> Iterator[Path]:
    """A hidden temporary path beside ``name``, removed if the block fails (created with the usual mode, which
    ``mkstemp``'s 0600 would not be once renamed)."""
    tmp = directory / f".{name}.{os.getpid()}.part"
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_report(report: MonthlyReport, directory: Path, lang: str) -> list[Path]:
    """Write ``<stem>.csv`` and ``<stem>.xlsx`` into ``directory`` (created if missing); their paths.  Both are
    complete before either takes its name."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = file_stem(report)
    targets = [directory / f"{stem}.csv", directory / f"{stem}.xlsx"]
    with _staged(directory, targets[0].name) as csv_tmp, _staged(directory, targets[1].name) as xlsx_tmp:
        write_csv(report, csv_tmp, lang)
        write_xlsx(report, xlsx_tmp, lang)
        os.replace(csv_tmp, targets[0])
        os.replace(xlsx_tmp, targets[1])
    return targets
