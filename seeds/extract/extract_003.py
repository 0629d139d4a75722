#!/usr/bin/env python3
"""Extract the HE-IMG catalog from document 003 (河北省影像检查项目互认工作指引（2025版）, 附表).

Usage: extract_003.py DOCUMENT [-o OUT]      (YAML on stdout without -o)

The 附表 is a four-column table (序号 / 检查类别 / 部位 / 影像检查互认项目) printed one cell per
line, each cell behind a tab, rows separated by a blank line.  Refs follow CONTRACT.md "Item
reference": HE-IMG:<序号>.  `section` is the 检查类别 cell, `part` the 部位 cell, both as printed.

Deterministic: same document in, same bytes out.  Any block inside the table that is neither the
header nor a four-cell row is a hard error, so nothing can be dropped silently.
"""
from __future__ import annotations

import collections
import re

import common
from common import norm, reviewed_notes

CATALOG = "HE-IMG"
SOURCE = "003"
HEADER = ["序号", "检查类别", "部位", "影像检查互认项目"]
MODALITIES = {"DR", "CT", "MR"}

# Reviewed observations on single rows (each verified against the printed name; a mismatch is an error).
ROW_NOTES = [
    ([33, 34], lambda names: all(not n.endswith("DR") for n in names), "other",
     "rows 33 and 34 (左侧锁骨正位 / 右侧锁骨正位, 检查类别 DR) lack the 'DR' suffix that every other DR row of the "
     "table prints. Handling: names kept as printed; modality from 检查类别", "kept"),
    ([49, 52, 221], lambda names: "DR(骨龄)" in names[0] and "DR（骨龄）" in names[1] and "(增强法）" in names[2],
     "other",
     "inconsistent brackets: row 49 prints half-width 'DR(骨龄)', row 52 full-width 'DR（骨龄）'; row 221 opens "
     "half-width and closes full-width '(增强法）'. Handling: names kept as printed", "kept"),
]

# Reviewed corrections of printed names (rule: documented next to the record; nothing silently changed).
# Each entry: row, the name as printed (a mismatch with the text is an error), the corrected name, the
# checks inside this copy that must still hold, and the evidence.  The corrected item keeps the printed
# name in `printedName` and says what and why in `correction`.
NAME_CORRECTIONS = [
    {
        "row": 234,
        "printed": "垂体动脉MRI增强",
        "name": "垂体动态MRI增强",
        # the two rows before it are the pituitary plain and enhanced MRI, as in 000 rows 160/161
        "neighbours": {232: "垂体MRI平扫", 233: "垂体MRI增强"},
        "why": (
            "动脉 (artery) printed for 动态 (dynamic): 垂体动态增强 is the dynamic contrast-enhanced pituitary MRI, the "
            "third pituitary exam after 平扫 and 增强; 'pituitary artery enhanced MRI' is no exam of any of the five "
            "lists. Same first character, and dòngmài / dòngtài differ by one letter in pinyin input"
        ),
        "evidence": (
            "document 000 附件2 prints the same three pituitary exams: row 160 垂体平扫, row 161 垂体增强, row 168 "
            "垂体动态增强 B0395NZZZ (释义 垂体 MRI 平扫加（动态）增强扫描; code qualifier N = dynamic enhanced, as in "
            "row 180 乳腺动态增强 BH325NZ1Z); document 002 附件1 MR (3) prints 垂体 (平扫+动态增强); document 001 row 264 "
            "prints 乳腺动态 MRI 增强, the word order of the corrected name; vessels in this table are imaged by MRA/MRV "
            "(rows {mra}) or CTA (rows {cta}), never named '<artery> MRI 增强'"
        ),
    },
]


def apply_name_corrections(items: list[dict]) -> list[dict]:
    by_row = {it["row"]: it for it in items}
    flaws = []
    for c in NAME_CORRECTIONS:
        it = by_row[c["row"]]
        if it["name"] != c["printed"] or any(by_row[r]["name"] != n for r, n in c["neighbours"].items()):
            raise SystemExit(f"reviewed name correction of row {c['row']} no longer matches the text")
        vessel_mr = [o["row"] for o in items if o is not it and "动脉" in o["name"] and o["modality"] == "MR"]
        if vessel_mr:
            raise SystemExit(f"rows {vessel_mr} name an artery under MR: review the correction of row {c['row']}")
        mra = [o["row"] for o in items if o["modality"] == "MR" and re.search(r"MR[AV]", o["name"])]
        cta = [o["row"] for o in items if "CTA" in o["name"]]
        span = lambda rows: (f"{rows[0]}-{rows[-1]}" if len(rows) > 3 and rows == list(range(rows[0], rows[-1] + 1))
                             else ", ".join(str(r) for r in rows))
        evidence = c["evidence"].format(mra=span(mra), cta=span(cta))
        rebuilt = {}
        for k, v in it.items():
            rebuilt[k] = v
            if k == "name":
                rebuilt["name"] = c["name"]
                rebuilt["printedName"] = c["printed"]
        rebuilt["correction"] = (f"name printed '{c['printed']}', corrected to '{c['name']}': 动脉 (artery) printed "
                                 f"for 动态 (dynamic); rows {', '.join(map(str, c['neighbours']))} are the pituitary "
                                 "平扫/增强, and 000 row 168 垂体动态增强 is the third pituitary exam")
        it.clear()
        it.update(rebuilt)
        flaws.append({
            "kind": "other",
            "rows": [c["row"]],
            "detail": (f"row {c['row']} printed '{c['printed']}' (部位 {it['part']}, after row "
                       + ", row ".join(f"{r} {n}" for r, n in c["neighbours"].items())
                       + f"): {c['why']}. Evidence: {evidence}. Handling: name corrected to '{c['name']}', the "
                       "printed name kept in printedName"),
            "handling": "corrected",
        })
    return flaws


def extract(text: str) -> dict:
    lines = text.split("\n")
    try:
        start = next(i for i, l in enumerate(lines) if norm(l) == "附表")
    except StopIteration:
        raise SystemExit("附表 heading not found")

    blocks: list[list[tuple[int, str, str]]] = []  # (lineno, raw, normalised)
    cur: list[tuple[int, str, str]] = []
    for i in range(start + 1, len(lines)):
        t = norm(lines[i])
        if not t:
            if cur:
                blocks.append(cur)
                cur = []
            continue
        cur.append((i + 1, lines[i], t))
    if cur:
        blocks.append(cur)

    excluded = [{"row": None, "line": start + 1, "text": norm(lines[start]), "reason": "table label (附表)"}]
    items: list[dict] = []
    last_line = None
    title = None
    flaws: list[dict] = []
    for b in blocks:
        cells = [t for _, _, t in b]
        if title is None and cells[1:] == HEADER:
            title = cells[0]
            excluded.append({"row": None, "line": b[0][0], "text": title, "reason": "table title (catalog name)"})
            excluded.append({"row": None, "line": b[1][0], "text": " / ".join(cells[1:]),
                             "reason": f"table header (lines {b[1][0]}-{b[-1][0]}, one cell per line)"})
            continue
        if len(b) == 4 and cells[0].isdigit() and all(raw.startswith("\t") for _, raw, _ in b):
            n, cat, part, name = cells
            if cat not in MODALITIES:
                raise SystemExit(f"line {b[1][0]}: unknown 检查类别 {cat!r}")
            modality = "MG" if (cat == "DR" and part == "乳腺") else cat
            item = {"ref": f"{CATALOG}:{int(n)}", "local": str(int(n)), "row": int(n), "name": name,
                    "modality": modality, "section": cat, "part": part}
            if modality == "MG":
                item["note"] = "mammography printed under 检查类别 DR, 部位 乳腺; modality MG"
            items.append(item)
            last_line = b[-1][0]
            continue
        raise SystemExit(f"lines {b[0][0]}-{b[-1][0]}: unrecognised block inside the table: {cells!r}")
    if title is None:
        raise SystemExit("table header not found")

    # numbering: duplicates, gaps, order
    rows = [it["row"] for it in items]
    dups = sorted(r for r, c in collections.Counter(rows).items() if c > 1)
    missing = sorted(set(range(1, max(rows) + 1)) - set(rows))
    if dups:
        flaws.append({"kind": "other", "rows": dups, "detail": f"serial numbers printed more than once: {dups}",
                      "handling": "kept"})
    if missing:
        flaws.append({"kind": "other", "rows": missing, "detail": f"serial numbers missing: {missing}",
                      "handling": "kept"})
    if rows != sorted(rows):
        flaws.append({"kind": "other", "rows": rows, "detail": "serial numbers out of order", "handling": "kept"})
    names = collections.Counter(it["name"] for it in items)
    dup_names = sorted(n for n, c in names.items() if c > 1)
    if dup_names:
        flaws.append({"kind": "duplicate_code", "rows": [it["row"] for it in items if it["name"] in dup_names],
                      "detail": f"item names printed more than once: {dup_names}", "handling": "kept"})

    # the cut: the table (and the document) ends inside the MR section, with no closing row or total
    last = items[-1]
    tail = [norm(l) for l in lines[last_line:]]
    if any(tail):
        raise SystemExit(f"text after the last row: {[t for t in tail if t]!r}")
    blank_tail = [last_line + 1 + k for k, l in enumerate(lines[last_line:]) if l and not l.strip()]
    last_parts = list(dict.fromkeys(it["part"] for it in items if it["section"] == last["section"]))
    announced = None
    m = re.search(r"共\s*(\d+)\s*项", text)
    if m:
        announced = int(m.group(1))
    flaws.append({
        "kind": "cut_list", "rows": [last["row"]], "lines": [last_line],
        "detail": (f"the table stops at row {last['row']} ({last['name']}, 检查类别 {last['section']}, 部位 "
                   f"{last['part']}, line {last_line}) and the document ends there: the {last['section']} section is cut "
                   f"(it has only 部位 {'、'.join(last_parts)}, no 腹部/盆腔/脊柱/四肢 rows as the DR and CT sections "
                   "have), and this copy prints no total (共 N 项), so the complete list's size is unknown"
                   + (f"; after it the file holds only whitespace (line {', '.join(map(str, blank_tail))})" if blank_tail else "")
                   + f". Handling: the {len(items)} printed rows are items; announced: null; itemCount {len(items)} "
                   "as numbered"),
        "handling": "kept",
    })

    flaws.extend(reviewed_notes(ROW_NOTES, {it["row"]: it for it in items}, lambda it: it["name"]))
    flaws.extend(apply_name_corrections(items))

    per = collections.Counter(it["section"] for it in items)
    return {
        "catalog": CATALOG,
        "name": title,
        "source": SOURCE,
        "clause": "附表",
        "kind": "imaging",
        "localPattern": r"0*(?P<number>\d+)",  # the serial number as printed, leading zeros allowed
        "localFormat": "{number}",
        "announced": announced,
        "itemCount": max(rows),
        "countNote": (
            f"附表 numbers its rows 1..{max(rows)} "
            + ("without gaps or duplicates" if not (dups or missing) else f"with duplicates {dups} and gaps {missing}")
            + "; the copy ends inside the MR section "
            "(cut_list flaw) and announces no total, so announced is null and itemCount counts the numbered rows. "
            f"Per 检查类别: DR {per['DR']} (of which 乳腺 {sum(1 for it in items if it['modality'] == 'MG')} as modality MG), "
            f"CT {per['CT']}, MR {per['MR']} (cut)."
        ),
        "sections": [{"heading": k, "code": k, "announced": None, "printed": per[k]} for k in ("DR", "CT", "MR")],
        "flaws": flaws,
        "items": items,
        "excluded": excluded,
    }


def main(argv=None) -> int:
    return common.main(argv, script=__file__, doc=__doc__, extract=extract)


if __name__ == "__main__":
    raise SystemExit(main())
