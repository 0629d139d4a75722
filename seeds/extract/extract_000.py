#!/usr/bin/env python3
"""Extract the ZJ-LAB and ZJ-IMG seed catalogs from document 000 (Zhejiang 2021 实施意见).

Usage:  python seeds/extract/extract_000.py /path/to/000_13d39ca1aabeac6b.txt [OUT_DIR]

Writes OUT_DIR/ZJ-LAB.yaml (附件1) and OUT_DIR/ZJ-IMG.yaml (附件2) in the format of
docs/DESIGN.md "Seed catalog file format". OUT_DIR defaults to seeds/catalogs of this checkout.

Deterministic: the output depends only on the document text. The script refuses (exits non-zero)
when the text does not have the structure it was written against, or when it finds an anomaly in
a code, a row number or a table row that has no recorded handling below -- nothing is dropped or
guessed silently.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

from common import split_top, unbalanced

SOURCE = "000"
CHECKOUT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = CHECKOUT / "seeds" / "catalogs"

# ICD-10-PCS imaging code (section B + 6 characters = 7) followed by the 2-character local qualifier
# that this list appends (e.g. BW23ZYZZZ, BW00ZZZ80). ICD-10-PCS never uses the letters O and I.
CODE_RE = re.compile(r"^B[0-9A-HJ-NP-Z]{8}$")
# third character of an ICD-10-PCS imaging code = type: 0 plain radiography, 1 fluoroscopy, 2 CT, 3 MRI
TYPE_CHAR = {"0": {"DR", "MG"}, "1": {"RF"}, "2": {"CT"}, "3": {"MR"}}

IMG_HEADER = ["序号", "模态", "部位", "项目中文简称", "项目释义", "编码"]

# Hand judgments on anomalies of the printed table, keyed by printed row number. Each entry must
# still match the text (the printed code is checked), otherwise the script stops.
IMG_JUDGMENTS = {
    30: {
        "printed": "BP0PZPZZ1",
        "flaw": {
            "kind": "other",
            "rows": [30],
            "detail": (
                "printed BP0PZPZZ1 (骨龄, 左手腕X线正位): valid characters and length, but the 6th character is P where "
                "every other DR code of the list has Z (compare row 31 BP0QZZZZ1 双手正位, row 40 BP0PZZZZE 左手正斜位); "
                "not an OCR confusion (P is not read for Z). Possibly a deliberate local qualifier that separates bone age "
                "from a plain left-hand film (document 001 prints BPOPZZZZ1-00 for both 左手腕正位 DR (骨龄) and 左手正位 DR)"
            ),
            "handling": "kept",
        },
    },
}


def norm_ws(s: str) -> str:
    return " ".join(s.split())


def fail(msg: str) -> None:
    sys.exit(f"extract_000: {msg}")


def find_line(lines: list[str], text: str) -> int:
    hits = [i for i, line in enumerate(lines) if line.strip() == text]
    if len(hits) != 1:
        fail(f"expected exactly one line {text!r}, found {len(hits)}")
    return hits[0]


def announced_counts(text: str) -> tuple[int, int, int]:
    """三、互认项目 (一) 共18类，72项 (附件1); (二) 共180项 (附件2)."""
    m1 = re.search(r"（一）医学检验结果相互认可的项目共(\d+)类，(\d+)项（具体项目清单见附件1）", text)
    m2 = re.search(r"（二）医学影像检查资料互相认可的项目共(\d+)项，（具体项目清单见附件2）", text)
    if not (m1 and m2):
        fail("clause 三(一)/三(二) announcing the list sizes not found")
    return int(m1.group(1)), int(m1.group(2)), int(m2.group(1))


def split_top_level(s: str, sep: str = "、") -> list[str]:
    """Split on sep outside parentheses: 耐甲氧西林葡萄球菌检测（MRSA、MRS） stays one component."""
    parts = split_top(s, sep)
    if unbalanced(s) or any(not p.strip() for p in parts):
        fail(f"unbalanced parentheses or empty component in {s!r}")
    return [norm_ws(p) for p in parts]


# ---------------------------------------------------------------------------------------- 附件1
def extract_lab(lines: list[str], text: str) -> dict:
    classes_announced, items_announced, _ = announced_counts(text)
    start, end = find_line(lines, "附件1"), find_line(lines, "附件2")
    body = [line.strip() for line in lines[start + 1 : end] if line.strip()]
    title, rows = body[0], body[1:]
    if title != "浙江省临床检验结果互认项目清单":
        fail(f"unexpected 附件1 title {title!r}")

    items = []
    for line in rows:
        m = re.fullmatch(r"(\d+)\.(.+)", line)
        if not m:
            fail(f"附件1: unparsed line {line!r}")
        row, rest = int(m.group(1)), m.group(2)
        item = {"ref": f"ZJ-LAB:{row}", "local": str(row), "row": row}
        if "：" in rest:
            name, listed = rest.split("：", 1)
            prefix = re.match(r"(含|包括)", listed)
            if not prefix:
                fail(f"附件1 row {row}: component list without 含/包括: {listed!r}")
            item["name"] = norm_ws(name)
            item["modality"] = "LAB"
            item["components"] = split_top_level(listed[prefix.end() :])
        else:  # a single test, no component list (3 粪便检查（粪便常规）, 4 隐血试验（…）, 11 血粘度测定)
            item["name"] = norm_ws(rest)
            item["modality"] = "LAB"
        items.append(item)

    numbers = [it["row"] for it in items]
    if numbers != list(range(1, len(items) + 1)):
        fail(f"附件1 numbering is not 1..n: {numbers}")
    if len(items) != classes_announced:
        fail(f"附件1 has {len(items)} classes, 三(一) announces {classes_announced}")

    n_comp = sum(len(it.get("components", [])) for it in items)
    singles = [it["row"] for it in items if "components" not in it]
    entries = [c for it in items for c in it.get("components", [it["name"]])]
    distinct = len(set(entries))
    stripped = len({re.sub(r"^(血清|血浆)", "", c) for c in entries})
    count_note = (
        f"三(一) announces {classes_announced}类，{items_announced}项. 附件1 numbers {len(items)} classes; each numbered class "
        f"is one item (CONTRACT: ZJ-LAB:1 = class 1 血常规), so itemCount = {len(items)}. The {items_announced} does not follow "
        f"from the printed list: the component lists hold {n_comp} names (split on top-level 、 after 含/包括), and the "
        f"{len(singles)} classes without a list (rows {', '.join(map(str, singles))}) are one test each, giving "
        f"{n_comp + len(singles)} entries; {distinct} distinct printed names ({stripped} if the 血清/血浆 prefix is ignored), "
        f"because 生化筛查 (5) repeats tests of 血脂 (6), 肝功能 (7) and 肾功能 (8), and 葡萄糖 occurs both in 尿常规 (2) "
        f"and 生化筛查 (5). No reading of the list found gives {items_announced}; the announced figure is recorded as "
        f"announced, the list is kept as printed."
    )
    return {
        "catalog": "ZJ-LAB",
        "name": title,
        "source": SOURCE,
        "clause": "附件1",
        "kind": "lab",
        "localPattern": r"0*(?P<number>\d+)",  # the serial number as printed, leading zeros allowed
        "localFormat": "{number}",
        "announced": items_announced,
        "itemCount": len(items),
        "countNote": count_note,
        "flaws": [],
        "items": items,
        "excluded": [],
    }


# ---------------------------------------------------------------------------------------- 附件2
def img_modality(printed_modality: str, part: str, name: str, explanation: str) -> str:
    if printed_modality == "DR":
        if part == "乳腺" or "乳腺摄影" in explanation:
            return "MG"
        if any(k in name + explanation for k in ("钡", "消化道造影", "食管造影", "透视")):
            return "RF"
    if printed_modality not in {"DR", "CT", "MR"}:
        fail(f"unknown modality {printed_modality!r}")
    return printed_modality


def code_anomalies(code: str) -> list[tuple[str, str, str | None]]:
    """(kind, detail, corrected code or None) for OCR-like flaws of one printed code."""
    found = []
    fixed = code
    if "O" in code:
        fixed = fixed.replace("O", "0")
        found.append(("ocr_letter_o", f"printed {code}, letter O for digit 0", None))
    if "I" in code or "l" in code:
        fixed = fixed.replace("I", "1").replace("l", "1")
        found.append(("other", f"printed {code}, letter I/l for digit 1", None))
    if found and CODE_RE.fullmatch(fixed):
        found = [(k, d, fixed) for k, d, _ in found]
    if not CODE_RE.fullmatch(fixed):
        kind = "lost_character" if len(fixed) < 9 else "other"
        found.append((kind, f"printed {code} does not match the 7-character + 2-qualifier pattern", None))
    return found


def extract_img(lines: list[str], text: str) -> dict:
    _, _, announced = announced_counts(text)
    start = find_line(lines, "附件2")
    title = lines[start + 1].strip()
    if title != "浙江省临床放射检查资料互认项目清单":
        fail(f"unexpected 附件2 title {title!r}")

    blocks, cur = [], []
    for line in lines[start + 2 :]:
        if line.strip():
            cur.append(norm_ws(line))
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    if blocks[0] != IMG_HEADER:
        fail(f"unexpected 附件2 header {blocks[0]}")

    items, flaws, excluded = [], [], []
    for block in blocks[1:]:
        if len(block) != len(IMG_HEADER) or not block[0].isdigit():
            fail(f"附件2: table row not in the 6-cell layout, needs a handling: {block}")
        row_s, mod, part, name, explanation, code = block
        row = int(row_s)
        modality = img_modality(mod, part, name, explanation)
        item = {
            "ref": None,
            "local": code,
            "row": row,
            "name": name,
            "description": explanation,   # 项目释义 as printed: facts the short name lacks (骨龄 = 左手腕X线正位)
            "modality": modality,
            "section": f"{mod} / {part}",
            "printed": code,
        }
        anomalies = code_anomalies(code)
        if code[2:3] in TYPE_CHAR and modality not in TYPE_CHAR[code[2]]:
            anomalies.append(("other", f"printed {code}: type character {code[2]} does not fit modality {mod}", None))
        judged = IMG_JUDGMENTS.get(row)
        if judged:
            if judged["printed"] != code:
                fail(f"附件2 row {row}: recorded judgment is for {judged['printed']}, text prints {code}")
            flaws.append(judged["flaw"])
        for kind, detail, fixed in anomalies:
            if fixed:
                item["local"] = fixed
                item["correction"] = detail.replace("printed ", "printed as ", 1)
                flaws.append({"kind": kind, "rows": [row], "detail": detail, "handling": "corrected"})
            elif not judged:
                fail(f"附件2 row {row}: unhandled anomaly: {detail}")
        item["ref"] = f"ZJ-IMG:{item['local']}"
        items.append(item)

    # numbering: gaps and duplicates
    numbers = [it["row"] for it in items]
    dup_rows = sorted(n for n, c in Counter(numbers).items() if c > 1)
    gaps = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    if dup_rows or gaps or numbers != sorted(numbers):
        fail(f"附件2 numbering: duplicates {dup_rows}, gaps {gaps} -- needs a handling")
    # duplicate codes
    by_code: dict[str, list[int]] = {}
    for it in items:
        by_code.setdefault(it["local"], []).append(it["row"])
    dups = {c: r for c, r in by_code.items() if len(r) > 1}
    if dups:
        fail(f"附件2 duplicate codes {dups} -- needs a handling")
    if len(items) != announced:
        fail(f"附件2 has {len(items)} rows, 三(二) announces {announced}")

    flaws.sort(key=lambda f: f["rows"][0])
    return {
        "catalog": "ZJ-IMG",
        "name": title,
        "source": SOURCE,
        "clause": "附件2",
        "kind": "imaging",
        "localPattern": r"(?P<code>[0-9A-Z]+?)(?:-00)?",  # the printed code; a "-00" suffix (BJ-IMG style) is accepted
        "localFormat": "{code}",
        "announced": announced,
        "itemCount": max(numbers),
        "flaws": flaws,
        "items": items,
        "excluded": excluded,
    }


def dump(data: dict, path: Path) -> None:
    head = (
        f"# {data['catalog']}: generated by seeds/extract/extract_000.py from document {SOURCE} ("
        f"000_13d39ca1aabeac6b.txt), {data['clause']}. Review; do not edit by hand.\n"
    )
    body = yaml.dump(data, allow_unicode=True, sort_keys=False, width=200)
    path.write_text(head + body, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    text = Path(argv[1]).read_text(encoding="utf-8")
    out = Path(argv[2]) if len(argv) == 3 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    lines = text.split("\n")
    lab, img = extract_lab(lines, text), extract_img(lines, text)
    dump(lab, out / "ZJ-LAB.yaml")
    dump(img, out / "ZJ-IMG.yaml")
    mods = Counter(it["modality"] for it in img["items"])
    print(f"ZJ-LAB: {lab['itemCount']} classes, announced {lab['announced']}; "
          f"ZJ-IMG: {img['itemCount']} items {dict(mods)}, {len(img['flaws'])} flaw(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
