#!/usr/bin/env python3
"""Extract the HC-IMG catalog from document 002 (河市三医〔2024〕43号, 附件1).

Usage: extract_002.py DOCUMENT [-o OUT]      (YAML on stdout without -o)

The list (附件1 "互认项目（3 类 52 项）") is free text: three numbered section headings
"N. <name>（K 项）" followed by items numbered within their section, printed either as
"（n）text" (full-width) or "- (n) text" (a Markdown bullet with half-width brackets; CT 14-21
and all of MR in this copy).  Refs follow CONTRACT.md "Item reference": HC-IMG:<DR|CT|MR>-<n>.

Deterministic: same document in, same bytes out.  Anything the parser does not recognise inside
the list is a hard error, so nothing can be dropped silently.
"""
from __future__ import annotations

import re

import common
from common import norm, split_top

CATALOG = "HC-IMG"
SOURCE = "002"

SECTION_RE = re.compile(r"^(\d+)\.\s*(.+?)\s*[（(]\s*(\d+)\s*项\s*[）)]\s*$")
ITEM_FULL_RE = re.compile(r"^（(\d+)）\s*(.+)$")          # （1）头颅平扫
ITEM_BULLET_RE = re.compile(r"^-\s*\((\d+)\)\s*(.+)$")      # - (14) 左房肺静脉 CTA
ITEM_HALF_RE = re.compile(r"^\((\d+)\)\s*(.+)$")            # (1) ... (not used in this copy)

# Reviewed observations on single rows (verified against the text below; a missing substring is an error).
ROW_NOTES = [
    # (local, substring that must be in the printed name, kind, detail, handling)
    ("MR-8", "T2W/压脂 T2WI", "other",
     "MR-8 prints 'T2W/压脂 T2WI' where MR-9, MR-10 and MR-11 print 'T2WI/压脂 T2WI' (a lost 'I', typo or OCR)",
     "kept"),
]
PUNCT_NOTE = (
    ["MR-13", "MR-24"], "other",
    "irregular punctuation of the sequence/plane part: MR-13 prints '/Cor, Sag、Tra (或重建的 Tra)' without the "
    "brackets its siblings use, MR-24 prints '(T1WI…)(Cor、Tra+Sag)' without the '/' separator",
    "kept",
)


def section_code(name: str) -> str:
    if "普通放射" in name:
        return "DR"
    if name.startswith("CT"):
        return "CT"
    if name.startswith("MR"):
        return "MR"
    raise SystemExit(f"unknown section heading {name!r}")


def split_parts(s: str) -> list[str]:
    """Split at 、 outside brackets; blank parts dropped."""
    return [x.strip() for x in split_top(s) if x.strip()]


def covers_of(name: str) -> list[str]:
    """DR-1 lists several body parts: one entry per part/view as printed, bracketed sub-parts expanded
    as 'part（sub）' so each entry keeps the printed words."""
    body = name.split("：", 1)[1]
    body = re.sub(r"摄片$", "", body)
    out = []
    for part in split_parts(body):
        m = re.fullmatch(r"(.+?)（(.+)）", part)
        if m:
            out += [f"{m.group(1)}（{sub}）" for sub in split_parts(m.group(2))]
        else:
            out.append(part)
    return out


def extract(text: str) -> dict:
    lines = text.split("\n")
    # The list starts at the appendix heading "附件 1" (line "附件：..." in the body is the attachment note).
    try:
        start = next(i for i, l in enumerate(lines) if norm(l) == "附件 1")
    except StopIteration:
        raise SystemExit("附件 1 heading not found")

    announced_total = None
    m = re.search(r"医学影像检查项目\s*(\d+)\s*类\s*(\d+)\s*项", text)
    if m:
        announced_total = int(m.group(2))

    sections: list[dict] = []
    items: list[dict] = []
    excluded: list[dict] = []
    bullet_rows: list[str] = []
    cur = None
    for i in range(start, len(lines)):
        lineno = i + 1
        raw = lines[i]
        t = norm(raw)
        if not t:
            continue
        sm = SECTION_RE.match(t)
        im = ITEM_FULL_RE.match(t) or ITEM_BULLET_RE.match(t) or ITEM_HALF_RE.match(t)
        if sm and not t.startswith("（"):
            code = section_code(sm.group(2))
            cur = {"number": int(sm.group(1)), "heading": t, "code": code,
                   "announced": int(sm.group(3)), "line": lineno, "rows": []}
            sections.append(cur)
            excluded.append({"row": None, "line": lineno, "text": t,
                             "reason": f"section heading (announces {sm.group(3)} items); gives section and modality {code}"})
            continue
        if im:
            if cur is None:
                raise SystemExit(f"line {lineno}: item before any section heading: {t!r}")
            n = int(im.group(1))
            name = norm(im.group(2))
            local = f"{cur['code']}-{n}"
            if ITEM_BULLET_RE.match(t):
                bullet_rows.append(local)
            modality = cur["code"]
            if cur["code"] == "DR" and "乳腺" in name:
                modality = "MG"
            item = {"ref": f"{CATALOG}:{local}", "local": local, "row": n, "name": name,
                    "modality": modality, "section": cur["heading"]}
            if modality == "MG":
                item["note"] = "digital mammography printed under 普通放射检查; modality MG"
            cur["rows"].append(n)
            items.append(item)
            continue
        if t == "附件 1":
            excluded.append({"row": None, "line": lineno, "text": t, "reason": "appendix label"})
            continue
        if "互认清单" in t and cur is None:
            excluded.append({"row": None, "line": lineno, "text": t, "reason": "list title (catalog name)"})
            continue
        if re.fullmatch(r"互认项目[（(]\s*\d+\s*类\s*\d+\s*项\s*[）)]", t):
            excluded.append({"row": None, "line": lineno, "text": t,
                             "reason": "list heading announcing the total (3 classes, 52 items)"})
            continue
        raise SystemExit(f"line {lineno}: unrecognised row inside the list: {t!r}")

    flaws: list[dict] = []
    # numbering within each section must run 1..k without gaps or duplicates
    for s in sections:
        exp = list(range(1, len(s["rows"]) + 1))
        if s["rows"] != exp:
            flaws.append({"kind": "other", "rows": [f"{s['code']}-{r}" for r in s["rows"]],
                          "detail": f"section {s['heading']!r} numbered {s['rows']} (expected {exp})",
                          "handling": "kept"})

    by_code = {s["code"]: s for s in sections}
    if [s["code"] for s in sections] != ["DR", "CT", "MR"]:
        raise SystemExit(f"unexpected sections {[s['heading'] for s in sections]}")

    for s in sections:
        if len(s["rows"]) != s["announced"]:
            rows = [f"{s['code']}-{r}" for r in s["rows"]]
            if s["code"] == "DR":
                detail = (f"section {s['heading']!r} (line {s['line']}) announces {s['announced']} items but prints "
                          f"{len(s['rows'])} numbered lines: DR-1 (数字 X 成像（DR）) lists several body parts and views "
                          "in one line, DR-2 is digital mammography (CC、MLO 位). The document does not say how it counts 7 "
                          "(one reading: the 5 body parts 胸部、四肢及关节、脊柱、骨盆、腹部 of DR-1 plus the 2 mammography views "
                          "CC and MLO of DR-2). So the list numbers "
                          f"{'+'.join(str(len(x['rows'])) for x in sections)} = {sum(len(x['rows']) for x in sections)} "
                          f"refs against the announced {'+'.join(str(x['announced']) for x in sections)} = "
                          f"{sum(x['announced'] for x in sections)}. Handling: refs kept as printed (DR-1, DR-2); the "
                          "parts DR-1 covers are listed in its `covers` field (one entry per printed body part/view) for "
                          "the crosswalk; itemCount keeps the announced total (see countNote)")
                handling = "kept"
            else:
                detail = f"section {s['heading']!r} announces {s['announced']} items, prints {len(s['rows'])}"
                handling = "kept"
            flaws.append({"kind": "other", "rows": rows, "lines": [s["line"]], "detail": detail, "handling": handling})

    if bullet_rows:
        full = [it["local"] for it in items if it["local"] not in bullet_rows]
        flaws.append({"kind": "other", "rows": bullet_rows,
                      "detail": f"numbering style changes inside the list: {full[0]}..{full[-1]} print full-width '（n）', "
                                f"{bullet_rows[0]}..{bullet_rows[-1]} ({len(bullet_rows)} rows) print a Markdown bullet with "
                                "half-width brackets '- (n)' (a conversion artefact of this copy); the MR heading also "
                                "uses half-width '(24 项)'. Handling: both styles parsed as the same numbered list; "
                                "refs use section and number only",
                      "handling": "kept"})

    by_local = {it["local"]: it for it in items}
    for local, sub, kind, detail, handling in ROW_NOTES:
        if sub not in by_local[local]["name"]:
            raise SystemExit(f"reviewed note for {local} no longer matches the text")
        flaws.append({"kind": kind, "rows": [local], "detail": detail + ". Handling: name kept as printed",
                      "handling": handling})
    locs, kind, detail, handling = PUNCT_NOTE
    flaws.append({"kind": kind, "rows": locs, "detail": detail + ". Handling: names kept as printed",
                  "handling": handling})

    # DR-1 covers; CT-4 carries the document's own exclusion of 颈部 CT 平扫
    dr1 = by_local["DR-1"]
    dr1["covers"] = covers_of(dr1["name"])
    ct4 = by_local["CT-4"]
    m = re.search(r"[（(]\s*(颈部\s*CT\s*平扫)\s*不作为互认项目\s*[）)]", ct4["name"])
    if not m:
        raise SystemExit("CT-4 exclusion note not found")
    ct4["notRecognized"] = [norm(m.group(1))]
    ct4["clause"] = "附件1 CT(4)"
    ct4["note"] = "the recognised item is 颈部平扫+增强; the document excludes 颈部 CT 平扫 alone (printed in the item)"

    printed = len(items)
    announced_sections = sum(s["announced"] for s in sections)
    if announced_total is not None and announced_total != announced_sections:
        raise SystemExit(f"total {announced_total} != section sum {announced_sections}")

    return {
        "catalog": CATALOG,
        "name": norm(next(norm(l) for l in lines[start:] if "互认清单" in l)),
        "source": SOURCE,
        "clause": "附件1",
        "kind": "imaging",
        # the section and its number (CONTRACT: HC-IMG:DR-1, HC-IMG:MR-24); also dr1, CT_05, MRI-3
        "localPattern": r"(?P<section>DR|CT|MR)(?:(?<=MR)I)?[-_.]?0*(?P<number>\d+)",
        "localFormat": "{section}-{number}",
        "announced": announced_total,
        "itemCount": announced_sections,
        "countNote": (
            f"二、互认项目 and 附件1 announce 3 类 {announced_total} 项 (普通放射检查 {by_code['DR']['announced']}, "
            f"CT {by_code['CT']['announced']}, MRI {by_code['MR']['announced']}). The list prints "
            f"{len(by_code['DR']['rows'])}+{len(by_code['CT']['rows'])}+{len(by_code['MR']['rows'])} = {printed} numbered "
            "lines, each one item here (refs DR-1..2, CT-1..21, MR-1..24): the 普通放射检查 section announces 7 but "
            "numbers 2 lines, DR-1 grouping several body parts (its `covers` list). itemCount keeps the announced "
            f"{announced_sections}; len(items) is {printed}."
        ),
        "sections": [{"heading": s["heading"], "code": s["code"], "announced": s["announced"],
                      "printed": len(s["rows"])} for s in sections],
        "flaws": flaws,
        "items": items,
        "excluded": excluded,
    }


def main(argv=None) -> int:
    return common.main(argv, script=__file__, doc=__doc__, extract=extract)


if __name__ == "__main__":
    raise SystemExit(main())
