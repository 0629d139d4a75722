"""Extract the two catalogs of seed document 001 (京卫医〔2024〕28号, Beijing) into reviewable YAML.

    python seeds/extract/extract_001.py /path/to/001_abf173040c63967d.txt [OUT_DIR]

Writes OUT_DIR/BJ-LAB.yaml (附件1, 北京市临床检验结果互认项目清单) and OUT_DIR/BJ-IMG.yaml
(附件2, 北京市医学影像检查资料互认项目清单) in the catalog format of docs/DESIGN.md
("Seed catalog file format"). OUT_DIR defaults to seeds/catalogs of this checkout.

The text is an OCR'd scan. Tables are tab-separated rows; blank lines are page breaks. Every printed
row ends up either as an item (numbered rows), a component (un-numbered rows under a lab panel) or an
`excluded` entry; every flaw found is recorded under `flaws` with its handling. Deterministic: the
output depends only on the input text.

Imaging codes follow the ICD-10-PCS imaging pattern: `B`, body system, type digit (0 plain
radiography = DR/MG, 1 fluoroscopy = RF, 2 CT, 3 MR), body part, contrast, qualifiers — 9 characters
here — then `-` and two digits. ICD-10-PCS never uses the letters O and I (they would be confused with
0 and 1), so an O or I in a printed code is an OCR misreading of 0 or 1. A code body of 8 characters
has lost one character; in every such row of this copy the loss is a `Z` from a run of `Z`, so a `Z`
is restored in the last run of `Z` (the position where the 9-character codes of the same modality
and body part carry it; the script records a witness row for each restoration).

Names: the OCR also misread characters of a few names (髌 for 髋, 髋/髌 for 骶/髂). Those are corrected
only by the reviewed readings in NAME_READINGS, where the printed code and document 000's row with the
same code decide; the corrected item keeps the printed name in `printedName` and says what and why in
`correction`. A doubtful name the code cannot decide is flagged (handling kept), not corrected.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import yaml

SOURCE = "001"
LAB_ANNOUNCED = 181   # 三、2(一): 医学检验结果互认项目共 181 项（见附件 1）
IMG_ANNOUNCED = 300   # 三、2(二): 医学影像检查互认项目共 300 项（见附件 2）

LAB_CODE = re.compile(r"^\d{19}$")
IMG_CODE = re.compile(r"^[A-Z0-9]{7,9}-\d\d$")
# the corrected 9-character body: B + body system + type digit + 6 characters, none of them O or I
IMG_BODY = re.compile(r"^B[A-HJ-NP-Z0-9][0-3][A-HJ-NP-Z0-9]{6}$")
TYPE_DIGIT = {"DR": "0", "MG": "0", "RF": "1", "CT": "2", "MR": "3"}

CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef"   # 、。（）：；， and the other full-width forms


def norm(text: str) -> str:
    """Whitespace normalised: runs of whitespace become one space; the spaces OCR puts between two
    Chinese characters or next to full-width punctuation (line-wrap artefacts such as 红细 胞压积)
    are removed. Everything else stays exactly as printed."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(rf"(?<=[{CJK}]) (?=[{CJK}])", "", text)
    text = re.sub(rf" (?=[{CJK_PUNCT}])|(?<=[{CJK_PUNCT}]) ", "", text)
    return text


def find_line(lines: list[str], text: str, start: int = 0) -> int:
    for i in range(start, len(lines)):
        if lines[i].strip() == text:
            return i
    raise SystemExit(f"extract_001: line {text!r} not found after line {start + 1}")


# ---------------------------------------------------------------------------------------------
# 附件1: lab list
# ---------------------------------------------------------------------------------------------

def parse_lab(lines: list[str], start: int, end: int) -> dict:
    items: list[dict] = []
    flaws: list[dict] = []
    current: dict | None = None
    header_seen = False
    for ln in range(start, end):
        raw = lines[ln]
        if not raw.strip():
            continue                                  # page break
        cells = raw.split("\t")
        if len(cells) == 1:
            continue                                  # heading lines (附件 1, title)
        cells += [""] * (4 - len(cells))
        serial, code, name, note = (c.strip() for c in cells[:4])
        if serial == "序号":
            header_seen = True
            continue
        if not header_seen:
            raise SystemExit(f"extract_001: lab table row before the header at line {ln + 1}")
        if serial:
            if not serial.isdigit() or not LAB_CODE.match(code):
                raise SystemExit(f"extract_001: unexpected lab row at line {ln + 1}: {raw!r}")
            current = {
                "ref": f"BJ-LAB:{code}",
                "local": code,
                "row": int(serial),
                "name": norm(name),
                "modality": "LAB",
                "printed": code,
            }
            if note:
                current["note"] = norm(note)
            current["_line"] = ln + 1
            items.append(current)
        elif code:
            if current is None or not LAB_CODE.match(code):
                raise SystemExit(f"extract_001: unexpected lab component at line {ln + 1}: {raw!r}")
            current.setdefault("components", []).append({"code": code, "name": norm(name)})
        elif name:
            # OCR line break split the row: the name cell continues on its own line
            if current is None:
                raise SystemExit(f"extract_001: continuation line without a row at line {ln + 1}")
            before = current["name"]
            current["name"] = norm(f"{before} {name}")
            flaws.append({
                "kind": "other",
                "rows": [current["row"]],
                "detail": (f"split row: the name cell of row {current['row']} is broken over two lines "
                           f"by the OCR (line {current['_line']} '{before}', line {ln + 1} '{norm(name)}')"),
                "handling": "corrected",
                "_how": f"joined into '{current['name']}'",
            })
        else:
            raise SystemExit(f"extract_001: empty lab row at line {ln + 1}: {raw!r}")
    return {"items": items, "flaws": flaws}


def lab_checks(items: list[dict], flaws: list[dict], last_line: int) -> None:
    rows = [it["row"] for it in items]
    if rows != list(range(1, len(rows) + 1)):
        dup = sorted(r for r, n in Counter(rows).items() if n > 1)
        missing = sorted(set(range(1, max(rows) + 1)) - set(rows))
        raise SystemExit(f"extract_001: lab numbering not 1..n (duplicates {dup}, missing {missing})")

    # codes: duplicates among items and components
    where: dict[str, list[tuple[dict, dict | None]]] = defaultdict(list)
    for it in items:
        where[it["local"]].append((it, None))
        for comp in it.get("components", []):
            where[comp["code"]].append((it, comp))
    for code, uses in where.items():
        if len(uses) < 2:
            continue
        if any(comp is None for _, comp in uses):
            raise SystemExit(f"extract_001: lab item code {code} is printed more than once; decide a handling")
        panels = sorted({it["row"] for it, _ in uses})
        names = [comp["name"] for _, comp in uses]
        note = (f"duplicate code: {code} is printed for both {' and '.join(names)} under row "
                f"{', '.join(map(str, panels))}; kept as printed, no item ref is minted for components")
        for _, comp in uses:
            comp["note"] = note
        flaws.append({
            "kind": "duplicate_code",
            "rows": panels,
            "detail": (f"the lab list prints code {code} for two different components, "
                       f"{' and '.join(names)}, both un-numbered rows beneath row {panels[0]} "
                       f"({items[panels[0] - 1]['name']}); the panel's 备注 lists both among its "
                       f"components, so they are components of that panel, not separate items"),
            "handling": "kept",
            "_how": ("both kept as components of the panel with the code as printed and a shared note; "
                     "components carry no ref, so item refs stay unique; the correct code of either "
                     "cannot be recovered from this copy"),
        })

    # panel component counts against the 备注 '(N 项)'
    for it in items:
        m = re.search(r"\((\d+) ?项\)", it.get("note", ""))
        if m and int(m.group(1)) != len(it.get("components", [])):
            raise SystemExit(f"extract_001: row {it['row']} announces {m.group(1)} components, "
                             f"{len(it.get('components', []))} printed")

    # code prefixes: every code but a few starts 00
    odd = [it for it in items if not it["local"].startswith("00")]
    if odd:
        flaws.append({
            "kind": "other",
            "rows": [it["row"] for it in odd],
            "detail": ("code prefix: " + ", ".join(f"row {it['row']} {it['name']} {it['local']}" for it in odd)
                       + " start with 11 where every other code of the list starts with 00; may be "
                       "genuine (a local code range) or a misreading, the copy cannot tell"),
            "handling": "kept",
            "_how": "kept as printed",
        })

    # names with evident OCR damage (kept as printed; the code identifies the item)
    by_code = {it["local"]: it for it in items}
    for it in items:
        if it["name"].startswith("尿(Urea)"):
            base = by_code.get(it["local"][:-1] + "0")
            flaws.append({
                "kind": "lost_character",
                "rows": [it["row"]],
                "detail": (f"name printed '{it['name']}': 素 of 尿素 lost (row {base['row']} prints "
                           f"'{base['name']}' with the same code stem {base['local'][:-1]}x)"
                           if base else f"name printed '{it['name']}': 素 of 尿素 lost"),
                "handling": "kept",
                "_how": "name kept as printed; the code identifies the item",
            })
        if "(Tnl)" in it["name"]:
            flaws.append({
                "kind": "other",
                "rows": [it["row"]],
                "detail": f"name printed '{it['name']}': lower-case l read for capital I (TnI)",
                "handling": "kept",
                "_how": "name kept as printed; the code identifies the item",
            })

    last = items[-1]
    flaws.append({
        "kind": "cut_list",
        "rows": list(range(len(items) + 1, LAB_ANNOUNCED + 1)),
        "detail": (f"三、2(一) announces {LAB_ANNOUNCED} lab items (附件 1) but this copy prints only rows "
                   f"1–{len(items)}: items {len(items) + 1}–{LAB_ANNOUNCED} are missing from this copy; the "
                   f"list stops at row {last['row']} '{last['name']}' (line {last['_line']}, which also lacks "
                   f"the abbreviation its neighbours carry) and 附件 2 follows at line {last_line + 1}"),
        "handling": "kept",
        "_how": f"the {len(items)} printed items are kept; itemCount is {len(items)}, announced {LAB_ANNOUNCED}; "
                "the missing items cannot be restored from this copy",
    })


# ---------------------------------------------------------------------------------------------
# 附件2: imaging list
# ---------------------------------------------------------------------------------------------

def restore_lost_z(body: str) -> str:
    """Insert a Z into the last run of Z of an 8-character code body."""
    i = body.rfind("Z")
    if i < 0:
        raise ValueError(body)
    return body[: i + 1] + "Z" + body[i + 1:]


def fix_code(printed: str) -> tuple[str, list[dict]]:
    """Return the corrected code and the list of fixes applied ({kind, text})."""
    body, _, tail = printed.partition("-")
    fixes: list[dict] = []
    letters = [(i, ch) for i, ch in enumerate(body) if ch in "OIl"]
    for i, ch in letters:
        digit = "0" if ch == "O" else "1"
        fixes.append({
            "kind": "ocr_letter_o" if ch == "O" else "other",
            "text": f"letter {ch} read for digit {digit} at position {i + 1}",
        })
    body = body.replace("O", "0").replace("I", "1").replace("l", "1")
    if len(body) == 8:
        restored = restore_lost_z(body)
        fixes.append({"kind": "lost_character",
                      "text": f"lost a Z: body {body} has 8 characters, the pattern 9; restored {restored}"})
        body = restored
    code = f"{body}-{tail}"
    if not IMG_BODY.match(body) or not re.fullmatch(r"\d\d", tail):
        raise SystemExit(f"extract_001: cannot correct imaging code {printed!r} (got {code!r})")
    return code, fixes


def modality_of(printed_modality: str, name: str) -> str:
    if "钼靶" in name or "乳腺摄影" in name:
        return "MG"
    if printed_modality in ("DR", "CT", "MR", "RF"):
        return printed_modality
    raise SystemExit(f"extract_001: unknown modality {printed_modality!r} for {name!r}")


def mirror_name(name: str) -> str:
    return name.replace("左", "\0").replace("右", "左").replace("\0", "右")


def witness(items: list[dict], it: dict) -> str:
    """A row of the same modality whose code carries the restored Z the same way."""
    code = it["local"].split("-")[0]
    tail = code[4:]
    same_part = [o for o in items if o is not it and o["local"][:4] == code[:4] and len(o["printed"]) == 12]
    parts = []
    nine = [o for o in items if o is not it and len(o["printed"].split("-")[0]) == 9]
    tries = [
        (lambda o: o["modality"] == it["modality"] and o["local"][4:9] == tail,
         "prints the same 9-character tail {t}"),
        (lambda o: o["modality"] == it["modality"] and re.fullmatch(tail[0] + "." + tail[2:], o["local"][4:9]),
         "has the same 9-character tail {t} up to the qualifier at position 6"),
        (lambda o: tail[2] != "Z" and tail.endswith("ZZ") and re.fullmatch("..[^Z]ZZ", o["local"][4:9]),
         "has a qualifier at position 7 followed by ZZ ({t}), as restored"),
    ]
    for pred, text in tries:
        hits = sorted((o for o in nine if pred(o)), key=lambda o: (abs(o["row"] - it["row"]), o["row"]))
        if hits:
            o = hits[0]
            parts.append(f"row {o['row']} {o['name']} {o['printed']} " + text.format(t=o["local"][4:9]))
            break
    if not parts:
        raise SystemExit(f"extract_001: no witness for the restoration of row {it['row']}")
    mirror = mirror_name(it["name"])
    for o in items:
        if o["name"] == mirror and mirror != it["name"] and len(o["printed"].split("-")[0]) == 9:
            same = o["local"][:3] == code[:3] and o["local"][4:9] == tail
            parts.append(f"mirror row {o['row']} {o['name']} {o['printed']} "
                         + ("differs from the restored code only in the body part" if same else
                            "(differs beyond the body part)"))
    if same_part:
        o = min(same_part, key=lambda o: (abs(o["row"] - it["row"]), o["row"]))
        parts.append(f"same body part: row {o['row']} {o['name']} {o['printed']}")
    return "; ".join(parts)


def parse_img(lines: list[str], start: int) -> dict:
    items: list[dict] = []
    excluded: list[dict] = []
    text_lines: list[tuple[int, str]] = []   # non-table lines inside/after the list
    header_seen = False
    list_closed = False
    for ln in range(start, len(lines)):
        raw = lines[ln]
        if not raw.strip():
            continue
        cells = raw.split("\t")
        if len(cells) == 1:
            if header_seen and items:
                list_closed = True                 # first non-table line after the rows: signature block
                text_lines.append((ln + 1, raw.strip()))
            continue
        if len(cells) != 5:
            raise SystemExit(f"extract_001: imaging row with {len(cells)} cells at line {ln + 1}: {raw!r}")
        serial, printed, mod, part, name = (c.strip() for c in cells)
        if serial == "序号":
            header_seen = True
            continue
        if list_closed:
            excluded.append({
                "row": int(serial),
                "text": " ".join(norm(c) for c in cells),
                "reason": (f"stray row after the signature block (line {ln + 1}): printed after the list "
                           f"closed at row {items[-1]['row']} and the issuer's signature/date; not part of "
                           f"the {IMG_ANNOUNCED}-item list"),
                "_line": ln + 1,
                "_printed": printed,
            })
            continue
        if not serial.isdigit() or not IMG_CODE.match(printed.replace("O", "0")):
            raise SystemExit(f"extract_001: unexpected imaging row at line {ln + 1}: {raw!r}")
        code, fixes = fix_code(printed)
        modality = modality_of(mod, name)
        item = {
            "ref": None,
            "local": code,
            "row": int(serial),
            "name": norm(name),
            "modality": modality,
            "section": f"{mod} / {part}",
            "printed": printed,
        }
        if modality != mod:
            item["note"] = (f"模态 column prints {mod}; modality {modality} from the name "
                            f"(DESIGN.md: MG for mammography, 钼靶)")
        item["_fixes"] = fixes
        item["_line"] = ln + 1
        items.append(item)
    return {"items": items, "excluded": excluded, "text_lines": text_lines}


def img_checks(items: list[dict], excluded: list[dict], text_lines, lines: list[str]) -> list[dict]:
    flaws: list[dict] = []

    # numbering
    rows = [it["row"] for it in items]
    dup = sorted(r for r, n in Counter(rows).items() if n > 1)
    missing = sorted(set(range(1, max(rows) + 1)) - set(rows))
    if dup or missing or rows != sorted(rows):
        raise SystemExit(f"extract_001: imaging numbering broken (duplicates {dup}, missing {missing})")

    # code corrections, grouped by kind and by the same fix (one flaw per pattern, listing the rows)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for it in items:
        for fx in it["_fixes"]:
            if fx["kind"] == "lost_character":
                key = ("lost_character", it["modality"] + ":" + it["printed"][4:8])
            else:
                key = (fx["kind"], fx["text"])
            groups[key].append(it)
        if it["_fixes"]:
            texts = []
            for fx in it["_fixes"]:
                t = fx["text"]
                if fx["kind"] == "ocr_letter_o":
                    t += " (ICD-10-PCS codes never use the letter O)"
                if fx["kind"] == "lost_character":
                    t += " (" + witness(items, it) + ")"
                texts.append(t)
            it["correction"] = "; ".join(texts)

    for (kind, key), its in groups.items():
        rws = [it["row"] for it in its]
        ex = its[0]
        if kind == "ocr_letter_o":
            pos = int(re.search(r"position (\d+)", key).group(1))
            role = {3: "the type digit (0 = plain radiography)",
                    6: "the second digit of the contrast/qualifier pair 10 (CT) / 50 (MR)"}.get(pos, "a digit")
            detail = (f"letter O printed for digit 0 at position {pos}, {role}, in "
                      + ", ".join(f"{it['printed']}" for it in its)
                      + "; ICD-10-PCS never uses the letters O and I")
            how = "corrected O -> 0; ref uses the corrected code, printed keeps the code as printed"
        elif kind == "lost_character":
            detail = (f"{ex['modality']} codes printed with 8 characters instead of 9 ("
                      + ", ".join(f"row {it['row']} {it['printed']}" for it in its)
                      + f"); a Z of the Z run was lost; the 9-character codes of the same modality print it, e.g. "
                      + witness(items, ex))
            how = ("corrected: Z restored in the last run of Z ("
                   + ", ".join(f"{it['printed']} -> {it['local']}" for it in its) + ")")
        else:
            detail = f"{key} in " + ", ".join(it["printed"] for it in its)
            how = "corrected"
        flaws.append({"kind": kind, "rows": rws, "detail": detail, "handling": "corrected", "_how": how})

    # type digit against the modality
    for it in items:
        want = TYPE_DIGIT[it["modality"]]
        if it["local"][2] != want:
            raise SystemExit(f"extract_001: row {it['row']} type digit {it['local'][2]} != {want}")

    # duplicate codes (after correction): the row whose name fits the pattern of its neighbours keeps
    # the code, the other row gets '@<row>'
    by_code: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        by_code[it["local"]].append(it)
    for code, its in by_code.items():
        if len(its) < 2:
            continue
        owner = choose_owner(code, its, items)
        for it in its:
            if it is owner:
                continue
            it["local"] = f"{code}@{it['row']}"
            extra = (f"code {code} is printed for row {owner['row']} {owner['name']} too; "
                     f"disambiguated as {it['local']} (suffix @<row>)")
            it["correction"] = (it["correction"] + "; " if it.get("correction") else "") + extra
        flaws.append({
            "kind": "duplicate_code",
            "rows": [it["row"] for it in its],
            "detail": ("one code printed for two different items: "
                       + " and ".join(f"row {it['row']} {it['name']} ({it['printed']})" for it in its)
                       + f"; row {owner['row']} fits the pattern of its neighbours ("
                       + owner_reason(owner, items) + ")"),
            "handling": "corrected",
            "_how": (f"both items kept with distinct refs: row {owner['row']} keeps BJ-IMG:{code}; "
                     + ", ".join(f"row {it['row']} becomes BJ-IMG:{it['local']}" for it in its if it is not owner)
                     + f" (the printed code resolves to row {owner['row']})"),
        })

    # stray rows
    for ex in excluded:
        flaws.append({
            "kind": "stray_row",
            "rows": [ex["row"]],
            "detail": (f"row numbered {ex['row']} printed after the signature block at line {ex['_line']}: "
                       f"'{ex['text']}'"
                       + (f" (its number repeats row {ex['row']} of the list)" if ex["row"] <= items[-1]["row"] else
                          f" (number beyond the {IMG_ANNOUNCED} announced)")
                       + (f"; its code {ex['_printed']} also has only 8 characters"
                          if len(ex["_printed"].split("-")[0]) == 8 else "")),
            "handling": "excluded",
            "_how": "listed under excluded, not an item",
        })

    # semantic inconsistencies in printed codes or names that are not OCR patterns: kept as printed
    flaws.extend(inconsistencies(items))

    # names the OCR misread (reviewed readings; corrected only where the code and the other list decide)
    flaws.extend(name_readings(items))

    # the signature block and the cover page
    flaws.extend(document_flaws(lines, text_lines))
    return flaws


def owner_reason(owner: dict, items: list[dict]) -> str:
    return owner.get("_owner_reason", "")


def choose_owner(code: str, its: list[dict], items: list[dict]) -> dict:
    """The item whose name matches the naming pattern of the sibling code with the other side's body
    part (e.g. 左手正位 ~ 右手正位 BP0NZZZZ1-00: the hand R/L body parts N/P with view Z1)."""
    for it in its:
        name = it["name"]
        mirror = mirror_name(name)
        for o in items:
            if o["name"] == mirror and o["local"][:3] == code[:3] and o["local"][4:] == code[4:]:
                it["_owner_reason"] = (f"{name} mirrors row {o['row']} {o['name']} {o['printed']}: same view "
                                       f"code {code[4:9]}, body part {o['local'][3]} -> {code[3]}")
                return it
    raise SystemExit(f"extract_001: cannot decide which row owns duplicate code {code}")


def inconsistencies(items: list[dict]) -> list[dict]:
    """Printed codes/names that disagree with their mirror row in a way no OCR confusion explains."""
    out: list[dict] = []
    by_name = {it["name"]: it for it in items}
    # 颞骨 CT: 平扫 and 增强 carry different body parts
    a, b = by_name.get("颞骨 CT 平扫"), by_name.get("颞骨 CT 增强")
    if a and b and a["local"][3] != b["local"][3]:
        out.append({
            "kind": "other",
            "rows": [a["row"], b["row"]],
            "detail": (f"颞骨 CT 平扫 {a['printed']} and 颞骨 CT 增强 {b['printed']} carry different body parts "
                       f"({a['local'][3]} vs {b['local'][3]}) and 平扫 has qualifier ZB where the other CT 平扫 "
                       f"rows have ZY/ZU; F/N are no OCR confusion pair, so this may be in the original"),
            "handling": "kept",
            "_how": "kept as printed (after the O -> 0 correction of the 增强 row)",
        })
    # 头颅 DR: 正侧位 uses body system N where 侧位/正位 use W
    hs = [by_name.get(n) for n in ("头颅侧位 DR", "头颅正侧位 DR", "头颅正位 DR")]
    if all(hs) and len({h["local"][:4] for h in hs}) > 1:
        out.append({
            "kind": "other",
            "rows": [h["row"] for h in hs],
            "detail": ("头颅 DR codes disagree on body system/part: "
                       + ", ".join(f"row {h['row']} {h['name']} {h['printed']}" for h in hs)
                       + "; no OCR confusion explains BN00 vs BW08, so this may be in the original"),
            "handling": "kept",
            "_how": "kept as printed",
        })
    # 双手 DR: 正位 uses body part Q (like 双腕) where 斜位/正斜位 use X
    hands = [by_name.get(n) for n in ("双手斜位 DR", "双手正位 DR", "双手正斜位 DR", "双腕正侧位 DR")]
    if all(hands) and hands[1]["local"][3] != hands[0]["local"][3]:
        out.append({
            "kind": "other",
            "rows": [h["row"] for h in hands],
            "detail": ("双手 DR codes disagree on the body part: "
                       + ", ".join(f"row {h['row']} {h['name']} {h['printed']}" for h in hands)
                       + f"; 双手正位 carries {hands[1]['local'][3]} like 双腕, 双手斜位/正斜位 carry "
                       f"{hands[0]['local'][3]}; Q/X are no OCR confusion pair, so this may be in the original"),
            "handling": "kept",
            "_how": "kept as printed (after restoring the lost Z)",
        })
    return out


# ---------------------------------------------------------------------------------------------
# Names the OCR misread. Reviewed readings: each states the rows, the name as printed (checked against
# the text: a mismatch stops the script), the reading, and the evidence outside this copy (document 000
# 附件2, which prints the same ICD-10-PCS-like codes with names and a 释义 column). The evidence inside
# this copy (the rows of the list that share the code's body part) is computed and checked below.
# `correct` readings replace the name and keep the printed one in `printedName`; `flag` readings keep
# the name as printed and only record the doubt.
# ---------------------------------------------------------------------------------------------

NAME_READINGS = [
    {
        "id": "hip",
        "action": "correct",
        "rows": {184: "双髌 CT 平扫", 193: "右髌 CT 平扫", 200: "左髌 CT 平扫",
                 286: "双髌 MRI 平扫", 290: "右髌 MRI 平扫", 297: "左髌 MRI 平扫"},
        "replace": [("髌", "髋")],
        "body": ("Q", {"0": "右", "1": "左", "2": "双"}),    # body system Q, body part -> side of the hip
        "why": "髌 (patella) is an OCR misreading of 髋 (hip): both are 骨 + a similar right-hand part (宾/宽)",
        "external": ("document 000 附件2 prints the same codes as hips: row 123 双髋关节平扫 BQ22ZYZZZ "
                     "(释义 双侧髋关节CT平扫) = row 184, row 175 右髋平扫 BQ30ZYZZZ (释义 右侧髋关节 MRI 普通扫描) "
                     "= row 290, row 178 左髋平扫 BQ31ZYZZZ (释义 左侧髋关节 MRI 普通扫描) = row 297"),
    },
    {
        "id": "sacroiliac",
        "action": "correct",
        "rows": {174: "髋髂关节 CT 平扫", 274: "髋髌关节 MRI 平扫", 275: "髋髌关节 MRI 增强"},
        "replace": [("髋髂关节", "骶髂关节"), ("髋髌关节", "骶髂关节")],
        "body": ("R", {"D": ""}),                            # body system R (axial skeleton), D sacroiliac joints
        "why": ("'髋髂关节' / '髋髌关节' name no joint (the hip joint is 髋关节, the joint of sacrum and ilium is "
                "骶髂关节): 髋 is an OCR misreading of 骶 and, in rows 274-275, 髌 of 髂 (each pair is 骨 + a "
                "similar right-hand part: 氐/宽, 客/宾)"),
        "external": ("document 000 附件2 prints body part D of body system R as the sacroiliac joints: row 3 "
                     "骶髂关节正位 BR0DZZZ00 (释义 X线骶髂关节前后位，包括双侧骶髂关节), row 89 骶髂关节平扫 "
                     "BR2DZYZZZ (释义 骶髂关节CT普通扫描) = the code of row 174, row 151 骶髂关节平扫 BR3DZYZZZ "
                     "(释义 骶髂关节 MRI 普通扫描, section MR / 盆腔) = the code of row 274; ICD-10-PCS body part D "
                     "of BR is 'Sacroiliac Joints'"),
    },
    {
        "id": "mammography_view",
        "action": "flag",
        "rows": {98: "双乳轴钼靶"},
        "why": ("'轴' alone names no projection: characters are lost after it, either 位 (双乳轴位钼靶, the "
                "craniocaudal view only, as document 003 row 93 prints 双乳轴位DR apart from row 94 双乳斜位DR) or "
                "斜位 (双乳轴斜位钼靶, craniocaudal + mediolateral oblique, as document 004 row 62 prints it; "
                "document 002 DR (2) prints 'CC、MLO 位')"),
        "external": ("the code does not decide: document 000 附件2 row 27 prints the same code BH02ZZZZG as "
                     "双侧乳腺 (释义 双侧X线乳腺摄影, no projection), and its single-breast rows 28/29 BH00ZZZZG / "
                     "BH01ZZZZG end in the same ZG; no code of either list separates the mammographic views"),
    },
]


def _insert_after(d: dict, after: str, key: str, value) -> None:
    """Insert key: value right after `after`, keeping the dict object (other structures refer to it)."""
    keys = list(d)
    tail = {k: d.pop(k) for k in keys[keys.index(after) + 1:] if k != key}
    d.pop(key, None)
    d[key] = value
    d.update(tail)


def name_readings(items: list[dict]) -> list[dict]:
    out: list[dict] = []
    by_row = {it["row"]: it for it in items}
    for rd in NAME_READINGS:
        its = []
        for row, printed_name in rd["rows"].items():
            it = by_row[row]
            if it["name"] != printed_name:
                raise SystemExit(f"extract_001: reviewed reading '{rd['id']}' is for row {row} '{printed_name}', "
                                 f"the text prints '{it['name']}'")
            its.append(it)
        if rd["action"] == "flag":
            it = its[0]
            out.append({
                "kind": "lost_character",
                "rows": [it["row"]],
                "detail": (f"name printed '{it['name']}' (code {it['printed']}): " + rd["why"] + "; "
                           + rd["external"]),
                "handling": "kept",
                "_how": ("name kept as printed, not corrected: the code identifies the item (the code of "
                         "000 row 27 双侧乳腺), the projection it meant cannot be read from this copy"),
            })
            continue

        system, parts = rd["body"]
        evidence = []
        for it in its:
            code = it["local"]
            if code[1] != system or code[3] not in parts:
                raise SystemExit(f"extract_001: reading '{rd['id']}': row {it['row']} code {code} is not body "
                                 f"system {system} with body part {sorted(parts)}")
            side = parts[code[3]]
            if side and not it["name"].startswith(side):
                raise SystemExit(f"extract_001: reading '{rd['id']}': row {it['row']} '{it['name']}' does not "
                                 f"start with {side} (body part {code[3]})")
        # inside this copy: the other rows with the same body system and body part
        for part in sorted({it["local"][3] for it in its}):
            same = [o for o in items if o not in its and o["local"][1] == system and o["local"][3] == part]
            for o in same:
                fixed = o["name"]
                if not any(new.removesuffix("关节") in fixed for _, new in rd["replace"]):
                    raise SystemExit(f"extract_001: reading '{rd['id']}': row {o['row']} '{o['name']}' shares "
                                     f"body part {system}{part} but does not name it")
            if same:
                evidence.append(", ".join(f"row {o['row']} {o['name']} {o['printed']}" for o in same))
        if rd["id"] == "hip":
            patella = [o for o in items if "髌骨" in o["name"]]
            if not patella or any(o["local"][1] != "Q" or o["local"][3] not in "VW" for o in patella):
                raise SystemExit("extract_001: reading 'hip': the 髌骨 rows no longer carry body part V/W")
            inside = ("in this list the same body parts are the hips: " + "; ".join(evidence)
                      + "; the patella rows print 髌骨 with body part V/W: "
                      + ", ".join(f"row {o['row']} {o['name']} {o['printed']}" for o in patella)
                      + "; without the reading the CT/MR 下肢 sections (which print 双/右/左 of every other "
                      "part) would have no hip")
        else:
            pelvis = {p: [o for o in items if o["local"][1] == "R" and o["local"][3] == p] for p in "CF"}
            if not all("骨盆" in o["name"] for o in pelvis["C"]) or not all("骶尾椎" in o["name"] for o in pelvis["F"]):
                raise SystemExit("extract_001: reading 'sacroiliac': body parts RC/RF no longer name 骨盆/骶尾椎")
            inside = ("no other row of this list carries body part D of body system R, and no row names "
                      "骶髂关节; the hips are body system Q here (rows 91-97 双/右/左髋 DR BQ02/BQ00/BQ01); "
                      "in body system R the neighbouring body parts are C 骨盆 (rows "
                      + ", ".join(str(o["row"]) for o in pelvis["C"]) + ") and F 骶尾椎 (rows "
                      + ", ".join(str(o["row"]) for o in pelvis["F"]) + ")")
        for it in its:
            printed_name = it["name"]
            name = printed_name
            for old, new in rd["replace"]:
                name = name.replace(old, new)
            if name == printed_name:
                raise SystemExit(f"extract_001: reading '{rd['id']}' changes nothing in row {it['row']}")
            it["name"] = name
            _insert_after(it, "name", "printedName", printed_name)
            misread = " and ".join(f"{a} read for {b}" for a, b in zip(printed_name, name) if a != b)
            text = (f"name printed '{printed_name}', corrected to '{name}': OCR {misread}"
                    f"; code {it['local']} body part {system}{it['local'][3]}"
                    + (f" = {parts[it['local'][3]]}髋 as in 000 and in this list's DR rows" if rd["id"] == "hip"
                       else " = the sacroiliac joints (000 骶髂关节 BR0D/BR2D/BR3D)")
                    + " (flaw: OCR character)")
            it["correction"] = (it["correction"] + "; " if it.get("correction") else "") + text
        out.append({
            "kind": "other",
            "rows": [it["row"] for it in its],
            "detail": ("OCR character: names printed "
                       + ", ".join(f"row {it['row']} '{it['printedName']}' {it['printed']}" for it in its)
                       + f": {rd['why']}. Evidence: {inside}; {rd['external']}"),
            "handling": "corrected",
            "_how": ("name corrected (" + ", ".join(f"row {it['row']} '{it['name']}'" for it in its)
                     + "); the printed name is kept in printedName, the code is unchanged by this reading"),
        })
    return out


def document_flaws(lines: list[str], text_lines) -> list[dict]:
    out: list[dict] = []
    # scrambled characters after the cover page: lines between the cover's date and the 实施方案 title
    title = find_line(lines, "北京市医疗机构检查检验结果互认工作 实施方案")
    cover_date = next(i for i in range(title) if re.fullmatch(r"\d{4}年\d+月\d+日", lines[i].strip()))
    block = [(i + 1, lines[i].strip()) for i in range(cover_date + 1, title) if lines[i].strip()]
    letterhead = ("北京市卫生健康委员会 中央军委后勤保障部卫生局", "北京市医疗保障局 北京市中医药管理局")
    repeats = [n for n, t in block if t in letterhead]
    scrambled = [(n, t) for n, t in block if n not in repeats]
    out.append({
        "kind": "scrambled_text",
        "rows": [],
        "detail": ("document text, outside both lists: lines "
                   f"{scrambled[0][0]}–{scrambled[-1][0]} after the cover page are scrambled characters "
                   "(the cover letter's addressee and first sentence, shuffled and garbled by the OCR): "
                   + " / ".join(t for _, t in scrambled)
                   + f"; before them lines {repeats[0]}–{repeats[-1]} repeat the letterhead "
                   "北京市卫生健康委员会 中央军委后勤保障部卫生局 / 北京市医疗保障局 北京市中医药管理局 three times"),
        "handling": "excluded",
        "_how": "ignored: no catalog item or rule is read from these lines",
    })
    # signature block of 附件2
    for n, t in text_lines:
        if t.startswith("(") and t != "(此件公开发布)":
            out.append({
                "kind": "scrambled_text",
                "rows": [],
                "detail": (f"document text after row 300 of 附件 2, line {n}: '{t}' is the footer "
                           "'(此件公开发布)' garbled by the OCR (the footer is printed again, intact, after the stray rows)"),
                "handling": "excluded",
                "_how": "ignored",
            })
        elif re.fullmatch(r"\d{4}年\d+月\d+日", t) and t != lines[cover_date].strip():
            out.append({
                "kind": "other",
                "rows": [],
                "detail": (f"document text after row 300 of 附件 2, line {n}: date '{t}' differs from the "
                           f"cover's '{lines[cover_date].strip()}' (line {cover_date + 1})"),
                "handling": "kept",
                "_how": "no effect on the catalog; the cover date is the document date",
            })
        elif t == "北京京市卫生健康委":
            out.append({
                "kind": "other",
                "rows": [],
                "detail": f"document text after row 300 of 附件 2, line {n}: signature '{t}' doubles 京",
                "handling": "kept",
                "_how": "no effect on the catalog",
            })
    return out


# ---------------------------------------------------------------------------------------------

def finish_flaws(flaws: list[dict]) -> list[dict]:
    out = []
    for f in flaws:
        detail = f["detail"]
        if f.get("_how"):
            detail = f"{detail}. Handling: {f['_how']}"
        out.append({"kind": f["kind"], "rows": f["rows"], "detail": detail, "handling": f["handling"]})
    return out


def clean(items: list[dict]) -> list[dict]:
    return [{k: v for k, v in it.items() if not k.startswith("_")} for it in items]


class _Dumper(yaml.SafeDumper):
    """Quotes all-digit strings (the 19-digit lab codes), so that no YAML reader, 1.1 or 1.2, takes
    them for integers and drops their leading zeros."""


def _str(dumper: yaml.SafeDumper, data: str):
    style = "'" if re.fullmatch(r"[0-9]+", data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def dump(path: Path, data: dict) -> None:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)
    header = ("# Generated by seeds/extract/extract_001.py from seed document 001 (京卫医〔2024〕28号).\n"
              "# Review the flaws below; regenerate rather than edit by hand.\n")
    path.write_text(header + text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    doc = Path(argv[1])
    out_dir = Path(argv[2]) if len(argv) == 3 else Path(__file__).resolve().parents[1] / "catalogs"
    text = unicodedata.normalize("NFC", doc.read_text(encoding="utf-8"))
    lines = text.split("\n")

    lab_start = find_line(lines, "附件 1")
    img_start = find_line(lines, "附件 2", lab_start + 1)

    lab = parse_lab(lines, lab_start, img_start)
    lab_items = lab["items"]
    lab_flaws = lab["flaws"]
    lab_checks(lab_items, lab_flaws, img_start)

    img = parse_img(lines, img_start)
    img_items = img["items"]
    img_flaws = img_checks(img_items, img["excluded"], img["text_lines"], lines)
    for it in img_items:
        it["ref"] = f"BJ-IMG:{it['local']}"
        if "correction" in it:   # keep the documented key order: correction after printed
            corr = it.pop("correction")
            note = it.pop("note", None)
            it["correction"] = corr
            if note:
                it["note"] = note
    refs = [it["ref"] for it in img_items]
    assert len(refs) == len(set(refs)), "duplicate BJ-IMG refs"
    refs = [it["ref"] for it in lab_items]
    assert len(refs) == len(set(refs)), "duplicate BJ-LAB refs"
    if len(img_items) != IMG_ANNOUNCED:
        raise SystemExit(f"extract_001: {len(img_items)} imaging items, {IMG_ANNOUNCED} announced")

    out_dir.mkdir(parents=True, exist_ok=True)
    dump(out_dir / "BJ-LAB.yaml", {
        "catalog": "BJ-LAB",
        "name": "北京市临床检验结果互认项目清单",
        "source": SOURCE,
        "clause": "附件1",
        "kind": "lab",
        "localPattern": r"(?P<code>[0-9A-Z]+)",  # the printed 19-digit code
        "localFormat": "{code}",
        "ocrLetters": {"L": "1"},  # letter L printed for digit 1
        "announced": LAB_ANNOUNCED,
        "itemCount": len(lab_items),
        "flaws": finish_flaws(lab_flaws),
        "items": clean(lab_items),
        "excluded": [],
    })
    dump(out_dir / "BJ-IMG.yaml", {
        "catalog": "BJ-IMG",
        "name": "北京市医学影像检查资料互认项目清单",
        "source": SOURCE,
        "clause": "附件2",
        "kind": "imaging",
        "localPattern": r"(?P<code>[0-9A-Z]+?)(?:-00)?",  # the printed code; a "-00" suffix (BJ-IMG style) is accepted
        "localFormat": "{code}-00",
        "announced": IMG_ANNOUNCED,
        "itemCount": len(img_items),
        "flaws": finish_flaws(img_flaws),
        "items": clean(img_items),
        "excluded": [{k: v for k, v in e.items() if not k.startswith("_")} for e in img["excluded"]],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
