"""The monthly report of 002 四(四) (每月初将上月份工作数据报…): its month, its columns and its words, as data.

002 四(四) asks for last month's figures at the start of every month; 000 一(一) names the four rates the
platform computes.  This module decides what the report shows and in which order, so that the CSV and the
XLSX (hub.services.report_files) are two renderings of one table:

* the scope — institution id and name, its region code and name —, the month;
* the seven counts of 000 一(一) and the four rates, labelled from :mod:`hub.domain.recognition_metrics` (the
  one place they are named and divided);
* the data-quality figures the hub counts (:data:`hub.domain.data_quality.FIGURES`), then one column per
  004 7.1 requirement it has no source for, every cell saying so (平台未提供) rather than holding a number;
* the citation.

Nothing here reads a store or writes a file.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from hub.domain.data_quality import FIGURES, NOT_PROVIDED_EN, NOT_PROVIDED_ZH, REQUIREMENTS
from hub.domain.messages import DEFAULT_LANGUAGE, LANGUAGES
from hub.domain.recognition_metrics import COUNT_LABELS_EN, COUNT_LABELS_ZH, RATES

#: what the report rests on: the four rates (000 一(一)) and the monthly reporting (002 四(四))
CITATION = "000 一(一)；002 四(四)"

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, the report's period: from its first day to its last, both counted (a reminder first
    issued on the 30th of November is November's; one issued on the 1st of December is not)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """``YYYY-MM`` (``2026-11``); anything else is a ValueError saying what is expected."""
        m = _MONTH.fullmatch(text.strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
            raise ValueError(f"{text!r} is not a month: write YYYY-MM, e.g. 2026-11")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def check_language(lang: str) -> str:
    """``lang`` lower-cased when the hub answers in it (:data:`hub.domain.messages.LANGUAGES`), else ValueError."""
    code = lang.strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"{lang!r} is not a language of the hub: choose {' or '.join(LANGUAGES)}")
    return code


@dataclass(frozen=True)
class Column:
    """One column of the report: the key of its value in a row, its header in each language, and how a value
    is written (``text``; ``count`` an integer; ``rate`` a fraction, empty when its denominator is 0)."""

    key: str
    label_zh: str
    label_en: str
    kind: str  # "text" | "count" | "rate"

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return self.label_en if lang == "en" else self.label_zh


def requirement_key(clause: str) -> str:
    """The column key of a 004 7.1 requirement the hub has no source for (every cell: 平台未提供)."""
    return f"quality {clause}"


def columns(upload_clauses: str) -> tuple[Column, ...]:
    """The report's columns, in order; ``upload_clauses`` (:func:`hub.domain.data_quality.upload_rule_clauses`)
    cite the image-completeness figures in their headers, so the CSV, which has no notes sheet, says what they
    were measured against."""
    cited = f"（{upload_clauses}）" if upload_clauses else ""
    cited_en = f" ({upload_clauses})" if upload_clauses else ""
    return (
        *COLUMNS_BEFORE,
        *(Column(f.name, f"{f.label_zh}{cited}", f"{f.label_en}{cited_en}", f.kind) for f in FIGURES),
        *COLUMNS_AFTER,
    )


#: the scope, the month, the seven counts and the four rates
COLUMNS_BEFORE: tuple[Column, ...] = (
    Column("institution", "机构编码", "institution id", "text"),
    Column("institutionName", "机构名称", "institution", "text"),
    Column("region", "地区编码", "region code", "text"),
    Column("regionName", "地区名称", "region", "text"),
    Column("month", "统计月份", "month", "text"),
    *(Column(name, label, COUNT_LABELS_EN[name], "count") for name, label in COUNT_LABELS_ZH.items()),
    *(Column(r.name, r.label_zh, r.label_en, "rate") for r in RATES),
)
#: the 004 7.1 requirements the hub has no source for, and the citation
COLUMNS_AFTER: tuple[Column, ...] = (
    *(Column(requirement_key(q.clause), f"{q.label_zh}（{q.clause}）", f"{q.label_en} ({q.clause})", "text")
      for q in REQUIREMENTS if q.source is None),
    Column("citation", "依据", "citation", "text"),
)

#: the words of the report that are not column headers, ``key -> (zh, en)``
WORDS: dict[str, tuple[str, str]] = {
    "title": ("检查检验结果互认工作月度报表", "Monthly report on the mutual recognition of examination results"),
    "sheet": ("月度报表", "monthly report"),
    "notes": ("说明", "notes"),
    "total": ("合计", "total"),
    "notProvided": (NOT_PROVIDED_ZH, NOT_PROVIDED_EN),
    "scope": ("统计范围", "scope"),
    "scopeInstitution": ("机构", "institution"),
    "scopeRegion": ("地区", "region"),
    "month": ("统计月份", "month"),
    "period": ("统计区间", "period"),
    "periodText": ("{first} 至 {last}（按提醒首次发出日期）", "{first} to {last} (by the day a reminder was first issued)"),
    "citation": ("依据", "citation"),
    "citationText": ("000 一(一)（首次提醒调阅率、互认率、诊断符合率、互认不遵从率）；002 四(四)（按月上报）",
                     "000 一(一) (the four rates); 002 四(四) (reported monthly)"),
    "rates": ("指标口径", "how each rate is computed"),
    "rateText": ("{numerator} ÷ {denominator}（{clause}）；分母为 0 时留空",
                 "{numerator} ÷ {denominator} ({clause}); empty when the denominator is 0"),
    "quality": ("数据质量（004 7.1）", "data quality (004 7.1)"),
    "counted": ("已统计", "counted"),
    "target": ("目标", "target"),
    "generated": ("生成时间", "generated at"),
    "heading": ("项目", "item"),
    "value": ("内容", "value"),
    "status": ("状态", "status"),
    "explanation": ("说明", "explanation"),
}


def word(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    zh, en = WORDS[key]
    return en if lang == "en" else zh
