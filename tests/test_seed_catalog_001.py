"""Seed catalogs of document 001 (京卫医〔2024〕28号, Beijing): BJ-LAB (附件1) and BJ-IMG (附件2).

The YAML files are produced by seeds/extract/extract_001.py. These tests check them against the
document's own statements and, where the document text is available, against the text itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "seeds" / "catalogs"
EXTRACT = ROOT / "seeds" / "extract" / "extract_001.py"
DOC = Path(os.environ.get("HUB_SEED_DOCS", "/work/shared/seed-docs")) / "001_abf173040c63967d.txt"

IMG_CODE = re.compile(r"^[A-Z0-9]{7,9}-\d\d$")
# corrected imaging code: B, body system, type digit, 6 characters; ICD-10-PCS never uses O or I
IMG_BODY = re.compile(r"^B[A-HJ-NP-Z0-9][0-3][A-HJ-NP-Z0-9]{6}-\d\d$")
LAB_CODE = re.compile(r"^\d{19}$")
TYPE_DIGIT = {"DR": "0", "MG": "0", "RF": "1", "CT": "2", "MR": "3"}


def load(name: str) -> dict:
    return yaml.safe_load((CATALOGS / f"{name}.yaml").read_text(encoding="utf-8"))


def doc_text() -> str:
    if not DOC.exists():
        pytest.skip(f"document 001 not available at {DOC}")
    return DOC.read_text(encoding="utf-8")


def table_rows(text: str, start: str, end: str | None) -> list[list[str]]:
    lines = text.split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.strip() == start)
    j = next((k for k, ln in enumerate(lines) if k > i and end and ln.strip() == end), len(lines))
    return [ln.split("\t") for ln in lines[i:j] if "\t" in ln]


def flaws_of(cat: dict, kind: str) -> list[dict]:
    return [f for f in cat["flaws"] if f["kind"] == kind]


def code_of(item: dict) -> str:
    return item["local"].split("@")[0]


# ------------------------------------------------------------------------------------------------

def test_img_has_300_items_rows_1_to_300_unique_refs():
    """附件2 / 三、2(二): 医学影像检查互认项目共 300 项 — 300 items, rows 1..300 with none missing or
    repeated, unique refs of the form BJ-IMG:<local>."""
    img = load("BJ-IMG")
    items = img["items"]
    assert img["catalog"] == "BJ-IMG" and img["source"] == "001" and img["clause"] == "附件2"
    assert img["announced"] == 300 and img["itemCount"] == 300
    assert len(items) == 300
    assert [it["row"] for it in items] == list(range(1, 301))
    refs = [it["ref"] for it in items]
    assert len(set(refs)) == 300
    assert all(it["ref"] == f"BJ-IMG:{it['local']}" for it in items)
    assert "共 300 项（见附件 2）" in doc_text()


def test_img_modalities():
    """附件2: the 模态 column (DR/RF/CT/MR); 双乳轴钼靶 is mammography (MG)."""
    items = load("BJ-IMG")["items"]
    counts = Counter(it["modality"] for it in items)
    assert counts == {"DR": 97, "MG": 1, "RF": 2, "CT": 110, "MR": 90}
    assert {it["row"] for it in items if it["modality"] == "RF"} == {99, 100}
    assert [it["name"] for it in items if it["modality"] == "MG"] == ["双乳轴钼靶"]


def test_lab_has_150_numbered_items_of_181_announced():
    """附件1 / 三、2(一): 医学检验结果互认项目共 181 项 — this copy numbers 150 (itemCount), the cut is a
    recorded flaw."""
    lab = load("BJ-LAB")
    items = lab["items"]
    assert lab["catalog"] == "BJ-LAB" and lab["source"] == "001" and lab["clause"] == "附件1"
    assert lab["announced"] == 181 and lab["itemCount"] == 150
    assert [it["row"] for it in items] == list(range(1, 151))
    refs = [it["ref"] for it in items]
    assert len(set(refs)) == 150
    assert all(it["ref"] == f"BJ-LAB:{it['local']}" and it["printed"] == it["local"] for it in items)
    cut = flaws_of(lab, "cut_list")
    assert len(cut) == 1 and cut[0]["rows"] == list(range(151, 182))
    assert "151–181" in cut[0]["detail"]
    assert "共 181 项（见附件 1）" in doc_text()


def test_lab_panels_keep_their_components():
    """附件1: the un-numbered rows under a panel (全血细胞分析, 尿常规化学分析, 血气和酸碱分析) are its
    components, as many as its 备注 announces ('(8项)', '(10 项)', '(7 项)')."""
    items = {it["row"]: it for it in load("BJ-LAB")["items"]}
    assert [len(items[r].get("components", [])) for r in (1, 12, 64)] == [8, 10, 7]
    for r in (1, 12, 64):
        n = int(re.search(r"(\d+) ?项", items[r]["note"]).group(1))
        assert n == len(items[r]["components"])
        assert all(LAB_CODE.match(c["code"]) and c["name"] for c in items[r]["components"])
    assert sum(len(it.get("components", [])) for it in items.values()) == 25
    assert items[117]["name"] == "细胞角蛋白 19 片段 (CYFRA21-1)"   # row split by an OCR line break


def test_every_code_matches_the_pattern_after_correction():
    """附件1 codes are 19 digits; 附件2 codes follow the ICD-10-PCS imaging pattern (9 characters, no
    letter O or I, type digit 0/1/2/3 for DR-MG/RF/CT/MR) plus '-' and two digits."""
    for it in load("BJ-LAB")["items"]:
        assert LAB_CODE.match(it["local"]), it
    for it in load("BJ-IMG")["items"]:
        code = code_of(it)
        assert IMG_CODE.match(code) and IMG_BODY.match(code), it
        assert code[2] == TYPE_DIGIT[it["modality"]], it
        assert IMG_CODE.match(it["printed"].replace("O", "0")), it


def test_known_flaws_of_index_are_recorded():
    """INDEX.md known flaws of 001 (附件1, 附件2): O for 0, lost character, one code for two items,
    repeated lab code, three stray rows, scrambled text after the cover page, lab list cut at 150."""
    img, lab = load("BJ-IMG"), load("BJ-LAB")
    by_row = {it["row"]: it for it in img["items"]}

    o_rows = {r for f in flaws_of(img, "ocr_letter_o") for r in f["rows"]}
    assert by_row[38]["printed"] == "BPONZZZZ7-00" and by_row[38]["local"] == "BP0NZZZZ7-00" and 38 in o_rows
    assert by_row[124]["printed"] == "B0201OZZZ-00" and by_row[124]["local"] == "B02010ZZZ-00" and 124 in o_rows

    lost_rows = {r for f in flaws_of(img, "lost_character") for r in f["rows"]}
    assert by_row[228]["printed"] == "B030ZYZZ-00" and by_row[228]["local"] == "B030ZYZZZ-00" and 228 in lost_rows

    dup = [f for f in flaws_of(img, "duplicate_code") if f["rows"] == [48, 50]]
    assert len(dup) == 1
    assert by_row[48]["printed"] == by_row[50]["printed"] == "BPOPZZZZ1-00"
    assert by_row[48]["name"] == "左手腕正位 DR (骨龄)" and by_row[50]["name"] == "左手正位 DR"
    assert by_row[48]["ref"] != by_row[50]["ref"]
    assert {code_of(by_row[48]), code_of(by_row[50])} == {"BP0PZZZZ1-00"}

    assert sorted(e["row"] for e in img["excluded"]) == [300, 308, 309]
    assert all(e["reason"] and e["text"] for e in img["excluded"])
    assert sorted(r for f in flaws_of(img, "stray_row") for r in f["rows"]) == [300, 308, 309]
    assert all(f["handling"] == "excluded" for f in flaws_of(img, "stray_row"))

    assert any("51–54" in f["detail"] for f in flaws_of(img, "scrambled_text"))

    lab_dup = flaws_of(lab, "duplicate_code")
    assert len(lab_dup) == 1 and "0025010201301000000" in lab_dup[0]["detail"]
    comps = {c["name"]: c for c in next(it for it in lab["items"] if it["row"] == 12)["components"]}
    assert comps["胆红素"]["code"] == comps["尿胆原"]["code"] == "0025010201301000000"
    assert comps["胆红素"].get("note") and comps["尿胆原"].get("note")
    assert flaws_of(lab, "cut_list")

    for cat in (img, lab):
        for f in cat["flaws"]:
            assert f["handling"] in {"corrected", "excluded", "kept"} and f["detail"], f


def test_corrected_items_keep_their_printed_code():
    """附件2: an item whose code or name was corrected keeps the code exactly as printed in `printed` and
    the name as printed in `printedName`, says why in `correction` and is listed in a corrected flaw; an
    uncorrected item's printed code is its local and it has no printedName."""
    img = load("BJ-IMG")
    flawed = {r for f in img["flaws"] if f["handling"] == "corrected" for r in f["rows"]}
    corrected = [it for it in img["items"] if "correction" in it]
    assert len(corrected) == 86      # 80 code corrections + 6 name-only corrections (184 193 200 174 274 275)
    assert sum(1 for it in corrected if it["printed"] != it["local"]) == 80
    assert sorted(it["row"] for it in img["items"] if "printedName" in it) == [174, 184, 193, 200, 274, 275, 286, 290, 297]
    for it in img["items"]:
        if "correction" in it:
            assert it["printed"] != it["local"] or it["printedName"] != it["name"], it
            assert it["correction"] and it["row"] in flawed, it
            if "printedName" in it:
                assert f"name printed '{it['printedName']}', corrected to '{it['name']}'" in it["correction"], it
        else:
            assert it["printed"] == it["local"] and "printedName" not in it, it


# OCR misreadings of names the extraction corrects (printed -> corrected), with the code that decides
NAME_CORRECTIONS = {
    184: ("双髌 CT 平扫", "双髋 CT 平扫", "BQ22ZYZZZ-00"),
    193: ("右髌 CT 平扫", "右髋 CT 平扫", "BQ20ZYEZZ-00"),
    200: ("左髌 CT 平扫", "左髋 CT 平扫", "BQ21ZYEZZ-00"),
    286: ("双髌 MRI 平扫", "双髋 MRI 平扫", "BQ32ZYZZZ-00"),
    290: ("右髌 MRI 平扫", "右髋 MRI 平扫", "BQ30ZYZZZ-00"),
    297: ("左髌 MRI 平扫", "左髋 MRI 平扫", "BQ31ZYZZZ-00"),
    174: ("髋髂关节 CT 平扫", "骶髂关节 CT 平扫", "BR2DZYZZZ-00"),
    274: ("髋髌关节 MRI 平扫", "骶髂关节 MRI 平扫", "BR3DZYZZZ-00"),
    275: ("髋髌关节 MRI 增强", "骶髂关节 MRI 增强", "BR3D50ZZZ-00"),
}


def test_ocr_names_corrected_with_the_printed_name_kept():
    """附件2 rows 184/193/200 and 286/290/297 print 双/右/左髌 (patella) CT/MRI 平扫 for 髋 (hip), rows 174 and
    274-275 print 髋髂关节 / 髋髌关节 for 骶髂关节: the names are corrected, the printed name is kept in
    printedName, the code is not touched by the reading, and each group is one flaw handled 'corrected'."""
    img = load("BJ-IMG")
    by_row = {it["row"]: it for it in img["items"]}
    for row, (printed, name, code) in NAME_CORRECTIONS.items():
        it = by_row[row]
        assert (it["printedName"], it["name"], it["local"]) == (printed, name, code), it
        assert "OCR" in it["correction"]
    hip = [f for f in img["flaws"] if f["rows"] == [184, 193, 200, 286, 290, 297]]
    sacro = [f for f in img["flaws"] if f["rows"] == [174, 274, 275]]
    assert len(hip) == len(sacro) == 1
    for f in hip + sacro:
        assert f["kind"] == "other" and f["handling"] == "corrected" and f["detail"].startswith("OCR character")
        assert "printedName" in f["detail"] and "000 附件2" in f["detail"]
    # the evidence inside the copy: the DR hips carry body parts 0/1/2, the patella rows print 髌骨 with V/W
    assert "row 94 右髋正位 DR BQ00ZZZ00-00" in hip[0]["detail"]
    assert "row 65 右髌骨轴位 DR BQ0VZZZ12-00" in hip[0]["detail"]
    assert "row 89 骶髂关节平扫 BR2DZYZZZ" in sacro[0]["detail"]
    # the earlier note that proposed 髂 for the 髌 of rows 274-275 is gone: no 'kept' flaw on those rows
    assert not [f for f in img["flaws"] if set(f["rows"]) & {174, 274, 275} and f["handling"] == "kept"]
    # no 髌 without 骨 is left in a name; the real patella rows are untouched
    assert [it["row"] for it in img["items"] if re.search("髌(?!骨)", it["name"])] == []
    assert [it["row"] for it in img["items"] if "髌骨" in it["name"]] == [65, 78]


def test_ocr_name_corrections_agree_with_zj_img():
    """The readings rest on document 000 附件2 printing the same codes with hip/sacroiliac names: 123
    双髋关节平扫 BQ22ZYZZZ, 175 右髋平扫 BQ30ZYZZZ, 178 左髋平扫 BQ31ZYZZZ, 89 骶髂关节平扫 BR2DZYZZZ, 151 骶髂关节平扫
    BR3DZYZZZ (and 3 骶髂关节正位 BR0DZZZ00); 000's patella rows print 髌骨 with BQ0V/BQ0W."""
    zj = {it["local"]: it for it in load("ZJ-IMG")["items"]}
    bj = {code_of(it): it for it in load("BJ-IMG")["items"]}
    for code, (row, word) in {"BQ22ZYZZZ": (123, "双髋"), "BQ30ZYZZZ": (175, "右髋"), "BQ31ZYZZZ": (178, "左髋"),
                              "BR2DZYZZZ": (89, "骶髂关节"), "BR3DZYZZZ": (151, "骶髂关节")}.items():
        assert zj[code]["row"] == row and zj[code]["name"].startswith(word)
        assert bj[f"{code}-00"]["name"].startswith(word)
    assert zj["BR0DZZZ00"]["name"] == "骶髂关节正位"
    assert zj["BQ0VZZZ12"]["name"] == "右髌骨轴位" and zj["BQ0WZZZ12"]["name"] == "左髌骨轴位"


def test_mammography_view_flagged_not_corrected():
    """附件2 row 98 prints 双乳轴钼靶: 轴 names no projection (轴位 = CC only, or 轴斜位 = CC + MLO); the code
    BH02ZZZZG-00 is 000 row 27 双侧乳腺 (释义 双侧X线乳腺摄影), which names no projection either, so the name is
    kept as printed and the doubt is a flaw handled 'kept'."""
    img = load("BJ-IMG")
    row98 = next(it for it in img["items"] if it["row"] == 98)
    assert row98["name"] == "双乳轴钼靶" and "printedName" not in row98 and "correction" not in row98
    flag = [f for f in img["flaws"] if f["rows"] == [98]]
    assert len(flag) == 1 and flag[0]["kind"] == "lost_character" and flag[0]["handling"] == "kept"
    assert "轴位" in flag[0]["detail"] and "轴斜位" in flag[0]["detail"] and "BH02ZZZZG" in flag[0]["detail"]
    zj27 = next(it for it in load("ZJ-IMG")["items"] if it["row"] == 27)
    assert zj27["local"] == "BH02ZZZZG" and zj27["description"] == "双侧X线乳腺摄影"


def test_every_printed_row_is_an_item_component_or_excluded():
    """附件1 and 附件2 as printed in the document text: nothing is dropped silently — each numbered row
    is an item (with the code as printed) or an `excluded` entry, each un-numbered coded row of 附件1 is
    a component."""
    text = doc_text()
    img, lab = load("BJ-IMG"), load("BJ-LAB")

    printed_img = [(int(c[0]), c[1].strip()) for c in table_rows(text, "附件 2", None) if c[0].strip().isdigit()]
    assert len(printed_img) == 303
    items = [(it["row"], it["printed"]) for it in img["items"]]
    excluded = [(e["row"], e["text"].split()[1]) for e in img["excluded"]]
    assert printed_img == items + excluded
    # names as printed (whitespace aside): the name, or printedName where the name was corrected
    printed_names = [(int(c[0]), re.sub(r"\s+", "", c[4])) for c in table_rows(text, "附件 2", None)
                     if c[0].strip().isdigit()][: len(img["items"])]      # the stray rows follow the list
    assert printed_names == [(it["row"], re.sub(r"\s+", "", it.get("printedName", it["name"]))) for it in img["items"]]

    rows = table_rows(text, "附件 1", "附件 2")
    numbered = [(int(c[0]), c[1].strip()) for c in rows if c[0].strip().isdigit()]
    assert numbered == [(it["row"], it["printed"]) for it in lab["items"]]
    components = [c[1].strip() for c in rows if not c[0].strip() and c[1].strip()]
    assert components == [c["code"] for it in lab["items"] for c in it.get("components", [])]


def test_extractor_reproduces_files(tmp_path):
    """The committed BJ-LAB.yaml and BJ-IMG.yaml are exactly what extract_001.py writes from the document
    (deterministic extraction; corrections live in the script, nothing is edited by hand)."""
    doc_text()
    subprocess.run([sys.executable, str(EXTRACT), str(DOC), str(tmp_path)], check=True, capture_output=True)
    for name in ("BJ-LAB", "BJ-IMG"):
        assert (tmp_path / f"{name}.yaml").read_bytes() == (CATALOGS / f"{name}.yaml").read_bytes(), name
