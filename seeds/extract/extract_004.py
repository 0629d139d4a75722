#!/usr/bin/env python3
"""Extract the CY-IMG catalog from document 004 (DB50/T XX—2025 征求意见稿, 附录A 表A.1).

Usage: extract_004.py DOCUMENT [-o OUT]      (YAML on stdout without -o)

表 A.1 is printed as tab-separated rows 序号 / 类别 / 检查部位 / 互认项目, with the header row
repeated at each page break.  The 序号 runs 1..141 across all three modalities (DR 1-66, CT 67-115,
MR 116-141), so refs are CY-IMG:<序号> (CONTRACT.md "Item reference", example CY-IMG:94).
`section` is the 类别 cell and `part` the 检查部位 cell, both as printed.

Deterministic: same document in, same bytes out.  Any line between 附录 A and 参考文献 that is
neither a known caption, a header row nor a four-cell row is a hard error (nothing dropped silently).
"""
from __future__ import annotations

import collections
import re
import unicodedata

import common
from common import norm, reviewed_notes

CATALOG = "CY-IMG"
SOURCE = "004"
HEADER = ["序号", "类别", "检查部位", "互认项目"]
MODALITY_OF = {"DR": "DR", "CT": "CT", "MR": "MR", "MRI": "MR"}
CAPTIONS = {
    "附录 A": "appendix heading",
    "(资料性)": "appendix status (informative)",
    "检查结果互认项目": "appendix title",
    "检查结果互认项目清单表A.1": "lead-in line before the table (most likely '检查结果互认项目清单见表A.1' with '见' lost); not a row",
    "表 A.1 川渝检查结果互认项目清单": "table caption (catalog name)",
}

# Reviewed observations (each verified against the printed rows; a mismatch is an error).
ROW_NOTES = [
    ([120], lambda it: it[0]["name"] == "腰椎 MR 平扫", "other",
     "row 120 prints '腰椎 MR 平扫' where every other MR row prints 'MRI' in the name. Handling: name kept as printed",
     "kept"),
    ([87, 98], lambda it: it[0]["name"] == "双髋 CT 平扫" and it[1]["name"] == "髋关节 CT 平扫"
     and it[0]["part"] == it[1]["part"] == "肌骨", "other",
     "possible duplicate: row 87 '双髋 CT 平扫' and row 98 '髋关节 CT 平扫' (both 检查部位 肌骨) may name the same exam. "
     "Handling: both rows are numbered items and stay; the crosswalk decides whether they match the same exam", "kept"),
    ([86, 106], lambda it: it[0]["part"] == "盆腔" and it[1]["part"] == "腹部" and it[1]["name"].startswith("盆腔"),
     "other",
     "inconsistent 检查部位: row 86 盆腔 CT 平扫 is under 盆腔, row 106 盆腔 CT 增强扫描 under 腹部. "
     "Handling: cells kept as printed", "kept"),
]


def odd_chars(line: str) -> list[str]:
    """Characters that make grep call a file binary or that signal garbage: control characters other
    than tab, U+FFFD (an undecodable byte), private-use and unassigned code points."""
    return [c for c in line if c != "\t" and unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") or c == "\ufffd"]


def extract(raw: bytes) -> dict:
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    flaws: list[dict] = []

    # whole-document scan for binary garbage (none in the copy this was written against; recorded if present)
    bad = [(i + 1, odd_chars(l)) for i, l in enumerate(lines) if odd_chars(l)]
    nul = raw.count(b"\x00")

    try:
        start = next(i for i, l in enumerate(lines) if norm(l) == "附录 A")
        end = next(i for i in range(start, len(lines)) if norm(lines[i]).replace(" ", "") == "参考文献")
    except StopIteration:
        raise SystemExit("附录 A / 参考文献 not found")
    bad_in_list = [b for b in bad if start < b[0] <= end]
    if bad or nul:
        flaws.append({"kind": "scrambled_text", "rows": [], "lines": [b[0] for b in bad],
                      "detail": f"undecodable or control characters (NUL bytes: {nul}) on lines {[b[0] for b in bad]}; "
                                f"{len(bad_in_list)} of those lines lie inside 附录 A. Handling: outside the list the text is "
                                "not used; inside it the extractor stops for review",
                      "handling": "kept"})
        if bad_in_list:
            raise SystemExit(f"garbage inside the list on lines {[b[0] for b in bad_in_list]}: review by hand")

    m = re.search(r"互认项目共\s*(\d+)\s*项，包括\s*DR\s*(\d+)\s*项、\s*CT\s*(\d+)\s*项、\s*MR\s*(\d+)\s*项", text)
    if not m:
        raise SystemExit("6.3 announcement not found")
    announced, ann = int(m.group(1)), {"DR": int(m.group(2)), "CT": int(m.group(3)), "MR": int(m.group(4))}

    items: list[dict] = []
    excluded: list[dict] = []
    headers: list[int] = []
    name = None
    for i in range(start, end):
        lineno, t = i + 1, norm(lines[i])
        if not t:
            continue
        cells = [norm(c) for c in lines[i].split("\t")]
        if t in CAPTIONS:
            if t.startswith("表 A.1"):
                name = t.removeprefix("表 A.1").strip()
            excluded.append({"row": None, "line": lineno, "text": t, "reason": CAPTIONS[t]})
            continue
        if cells == HEADER:
            headers.append(lineno)
            excluded.append({"row": None, "line": lineno, "text": " / ".join(cells),
                             "reason": "table header row" if len(headers) == 1 else "table header repeated at a page break"})
            continue
        if len(cells) == 4 and cells[0].isdigit():
            n, cat, part, nm = cells
            if cat not in MODALITY_OF:
                raise SystemExit(f"line {lineno}: unknown 类别 {cat!r}")
            modality = MODALITY_OF[cat]
            if modality == "DR" and (part == "乳腺" or "钼靶" in nm):
                modality = "MG"
            item = {"ref": f"{CATALOG}:{int(n)}", "local": str(int(n)), "row": int(n), "name": nm,
                    "modality": modality, "section": cat, "part": part}
            if modality == "MG":
                item["note"] = "mammography (钼靶) printed under 类别 DR; modality MG, counted in DR by 6.3"
            items.append((lineno, item))
            continue
        raise SystemExit(f"line {lineno}: unrecognised line inside 附录 A: {t!r}")
    if name is None:
        raise SystemExit("table caption not found")

    lines_of = {it["row"]: ln for ln, it in items}
    items = [it for _, it in items]
    rows = [it["row"] for it in items]
    dups = sorted(r for r, c in collections.Counter(rows).items() if c > 1)
    missing = sorted(set(range(1, max(rows) + 1)) - set(rows))
    if dups:
        flaws.append({"kind": "other", "rows": dups, "detail": f"serial numbers printed more than once: {dups}", "handling": "kept"})
    if missing:
        flaws.append({"kind": "other", "rows": missing, "detail": f"serial numbers missing: {missing}", "handling": "kept"})
    if rows != sorted(rows):
        flaws.append({"kind": "other", "rows": rows, "detail": "serial numbers out of order", "handling": "kept"})
    dup_names = sorted(n for n, c in collections.Counter(it["name"] for it in items).items() if c > 1)
    if dup_names:
        flaws.append({"kind": "duplicate_code", "rows": [it["row"] for it in items if it["name"] in dup_names],
                      "detail": f"item names printed more than once: {dup_names}", "handling": "kept"})

    # counts per modality as 6.3 counts them (类别 column; MRI counted as MR, 乳腺 钼靶 counted in DR)
    per = collections.Counter(MODALITY_OF[it["section"]] for it in items)
    for k, v in ann.items():
        if per[k] != v:
            flaws.append({"kind": "other", "rows": [], "detail": f"6.3 announces {k} {v}, 附录A prints {per[k]}", "handling": "kept"})
    if len(items) != announced:
        flaws.append({"kind": "other", "rows": [], "detail": f"6.3 announces {announced}, 附录A prints {len(items)}", "handling": "kept"})
    # the serial number runs across modalities: each modality is one contiguous block
    blocks = {}
    for it in items:
        blocks.setdefault(MODALITY_OF[it["section"]], []).append(it["row"])
    for k, rs in blocks.items():
        if rs != list(range(rs[0], rs[-1] + 1)):
            raise SystemExit(f"{k} rows are not contiguous: {rs}")

    mri = [it["row"] for it in items if it["section"] == "MRI"]
    if mri:
        flaws.append({"kind": "other", "rows": mri, "lines": [lines_of[r] for r in mri],
                      "detail": f"类别 printed 'MRI' on rows {mri[0]}-{mri[-1]} where rows {blocks['MR'][0]}-{mri[0] - 1} "
                                "print 'MR' (6.3 counts them all as MR). Handling: section kept as printed ('MRI'), modality MR, "
                                f"counted in MR {ann['MR']}",
                      "handling": "kept"})
    if len(headers) > 1:
        flaws.append({"kind": "stray_row", "rows": [], "lines": headers[1:],
                      "detail": f"the header row 序号/类别/检查部位/互认项目 is repeated {len(headers) - 1} times at page breaks "
                                f"(lines {', '.join(map(str, headers[1:]))}). Handling: excluded (see excluded)",
                      "handling": "excluded"})
    stray_caps = [e for e in excluded if e["text"] == "检查结果互认项目清单表A.1"]
    if stray_caps:
        flaws.append({"kind": "other", "rows": [], "lines": [e["line"] for e in stray_caps],
                      "detail": "garbled lead-in line '检查结果互认项目清单表A.1' before the caption '表 A.1 川渝检查结果互认项目清单' "
                                "(most likely '…清单见表A.1' with '见' lost in conversion). Handling: excluded (see excluded)",
                      "handling": "excluded"})
    flaws.extend(reviewed_notes(ROW_NOTES, {it["row"]: it for it in items}, lambda it: it))

    return {
        "catalog": CATALOG,
        "name": name,
        "source": SOURCE,
        "clause": "附录A 表A.1",
        "kind": "imaging",
        "localPattern": r"0*(?P<number>\d+)",  # the serial number as printed, leading zeros allowed
        "localFormat": "{number}",
        "announced": announced,
        "itemCount": max(rows),
        "countNote": (
            f"6.3 announces {announced} items (DR {ann['DR']}, CT {ann['CT']}, MR {ann['MR']}); 表 A.1 numbers one running "
            f"序号 1..{max(rows)} across modalities (DR {blocks['DR'][0]}-{blocks['DR'][-1]}, CT {blocks['CT'][0]}-"
            f"{blocks['CT'][-1]}, MR {blocks['MR'][0]}-{blocks['MR'][-1]}), so refs are CY-IMG:<序号>. Counted by the 类别 "
            f"column as 6.3 does: DR {per['DR']} (of which 乳腺 钼靶 {sum(1 for it in items if it['modality'] == 'MG')} "
            f"have modality MG), CT {per['CT']}, MR {per['MR']} ('MR' {per['MR'] - len(mri)} + 'MRI' {len(mri)})."
        ),
        "sections": [{"heading": k, "code": k, "announced": ann[k], "printed": per[k]} for k in ("DR", "CT", "MR")],
        "flaws": flaws,
        "items": items,
        "excluded": excluded,
    }


def main(argv=None) -> int:
    return common.main(argv, script=__file__, doc=__doc__, extract=extract, from_bytes=True)


if __name__ == "__main__":
    raise SystemExit(main())
