"""The catalog crosswalk (hub/crosswalk/, seeds/crosswalk/): issue 3 item 2.

Rows cited are the documents' own numbering (../shared/seed-docs, INDEX.md):
000 附件2 = ZJ-IMG, 001 附件2 = BJ-IMG, 002 附件1 = HC-IMG, 003 附表 = HE-IMG, 004 表 A.1 = CY-IMG.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hub.crosswalk import artifact
from hub.crosswalk.features import graph_attributes, normalise
from hub.crosswalk.index import CrosswalkIndex
from hub.crosswalk.vocabulary import Vocabulary, read_vocabulary
from hub.domain.catalog_file import read_seed_catalogs
from hub.domain.seeds import crosswalk_dir, equivalences_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def committed() -> dict:
    return yaml.safe_load(equivalences_file().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def voc() -> Vocabulary:
    return read_vocabulary()


@pytest.fixture(scope="module")
def index() -> CrosswalkIndex:
    """The run-time index over the committed file, as the wiring builds it."""
    return CrosswalkIndex.from_seeds()


@pytest.fixture(scope="module")
def items(voc) -> dict:
    """Every catalog item by ref, with the features the normaliser reads from its own name."""
    out = {}
    for cat in read_seed_catalogs().values():
        for raw in cat.items:
            out[raw["ref"]] = (raw, normalise(raw, voc))
    return out


def members(cls: dict) -> list[str]:
    return [m["ref"] for m in cls["members"]]


# ------------------------------------------------------------------------------ the committed file


def test_committed_equivalences_file_is_what_the_code_builds():
    diff = artifact.check()
    assert not diff, "seeds/crosswalk/equivalences.yaml is stale; run `hub crosswalk build`:\n" + "\n".join(diff[:60])


def test_check_cli_exits_zero_on_the_committed_file():
    r = subprocess.run([sys.executable, "-m", "hub.cli", "crosswalk", "check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_cli_names_what_differs_in_a_stale_file(tmp_path):
    stale = tmp_path / "equivalences.yaml"
    text = equivalences_file().read_text(encoding="utf-8")
    stale.write_text(text.replace("{ref: 'HE-IMG:5', name: 胸部正位DR,", "{ref: 'HE-IMG:5', name: 胸部正位 DR,", 1),
                     encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "hub.cli", "crosswalk", "check", "--file", str(stale)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{stale} differs from the build in: classes" in r.stdout, r.stdout
    assert "-  - {ref: 'HE-IMG:5', name: 胸部正位 DR, evidence: features}" in r.stdout, r.stdout
    assert "hub crosswalk build" in r.stderr


def test_build_is_deterministic():
    assert artifact.render(artifact.build_from_seeds()) == artifact.render(artifact.build_from_seeds())


def test_every_item_is_accounted_for_once(committed, items):
    in_classes = [r for c in committed["classes"] for r in members(c)]
    unmatched = [e["ref"] for lst in committed["unmatched"].values() for e in lst]
    assert len(in_classes) == len(set(in_classes))
    assert sorted(in_classes + unmatched) == sorted(items)
    assert set(committed["attributes"]) == set(items)


def test_a_class_holds_at_most_one_item_per_catalog(committed):
    for c in committed["classes"]:
        cats = [r.split(":", 1)[0] for r in members(c)]
        assert len(cats) == len(set(cats)) >= 2, c["id"]


def test_every_member_carries_evidence(committed):
    for c in committed["classes"]:
        for m in c["members"]:
            assert m["evidence"], (c["id"], m["ref"])


def test_every_unmatched_item_has_a_reason(committed):
    for cat, lst in committed["unmatched"].items():
        for e in lst:
            assert e["reason"], (cat, e["ref"])


# ----------------------------------------------------------------------------- known equal exams


def test_chest_pa_film_is_one_exam_in_four_catalogs(index):
    # 003 row 5 胸部正位DR; 004 表A.1 row 1 胸部站立后前位摄影; 001 附件2 row 85 胸部正位 DR (BW03ZZZZ1-00);
    # 000 附件2 row 67 胸部正位 (BW03ZZZZ1, 释义 "X线胸部后前位")
    cls = index.equivalents("HE-IMG:5")
    assert cls[0] == "HE-IMG:5"
    assert set(cls) == {"HE-IMG:5", "CY-IMG:1", "BJ-IMG:BW03ZZZZ1-00", "ZJ-IMG:BW03ZZZZ1"}
    assert index.map_to_catalog("HE-IMG:5", "CY-IMG") == "CY-IMG:1"
    assert index.map_to_catalog("CY-IMG:1", "BJ-IMG") == "BJ-IMG:BW03ZZZZ1-00"


def test_chest_ct_plain_maps_to_he_img_122(index):
    # CONTRACT.md example targetItem "HE-IMG:122": 003 row 122 胸部CT平扫 = 001 row 154 胸部 CT 平扫
    # (BW23ZYZZZ-00) = 000 row 137 胸部平扫 (BW23ZYZZZ) = 004 row 94 胸部 CT 平扫 = 002 CT(5) 胸部平扫（…）
    assert index.map_to_catalog("BJ-IMG:BW23ZYZZZ-00", "HE-IMG") == "HE-IMG:122"
    assert set(index.equivalents("HE-IMG:122")) == {
        "HE-IMG:122", "BJ-IMG:BW23ZYZZZ-00", "ZJ-IMG:BW23ZYZZZ", "CY-IMG:94", "HC-IMG:CT-5"}


def test_code_match_joins_zj_and_bj_with_evidence(committed):
    # 000 row 71 全腹部CT平扫 and 001 row 159 腹盆腔 CT 平扫 print the same code BW21ZYZZZ
    cls = next(c for c in committed["classes"] if "ZJ-IMG:BW21ZYZZZ" in members(c))
    assert "BJ-IMG:BW21ZYZZZ-00" in members(cls)
    ev = {m["ref"]: m["evidence"] for m in cls["members"]}
    assert "code BW21ZYZZZ = BJ-IMG:BW21ZYZZZ-00" in ev["ZJ-IMG:BW21ZYZZZ"]


def test_code_decides_when_the_name_is_ocr_damaged(index):
    # 001 row 290 prints "右髌 MRI 平扫" with code BQ30ZYZZ(-00): the code of 000 row 175 右髋平扫 BQ30ZYZZZ
    assert index.map_to_catalog("BJ-IMG:BQ30ZYZZZ-00", "ZJ-IMG") == "ZJ-IMG:BQ30ZYZZZ"
    assert index.item_features("BJ-IMG:BQ30ZYZZZ-00")["bodyPart"] == "hip"


def test_lab_complete_blood_count(index):
    # 000 附件1 class 1 血常规 = 001 附件1 row 1 全血细胞分析 (the same eight components)
    assert index.map_to_catalog("ZJ-LAB:1", "BJ-LAB") == "BJ-LAB:0025010101500000000"
    # a panel never equals one of its tests
    assert index.map_to_catalog("ZJ-LAB:8", "BJ-LAB") is None


# ------------------------------------------------------------- never across laterality/contrast/views

FIELDS = ("laterality", "contrast", "views")


def test_no_class_mixes_laterality_contrast_or_views(committed, items):
    """Over the whole file: members of a class never differ in side, contrast/technique or view set.

    Each member's features are read again from its own printed name; a feature an OCR-damaged name
    leaves unread cannot differ, every feature it does state must agree."""
    for c in committed["classes"]:
        feats = [(r, items[r][1]) for r in members(c)]
        for (ra, fa), (rb, fb) in itertools.combinations(feats, 2):
            for f in FIELDS:
                va, vb = getattr(fa, f), getattr(fb, f)
                known_a = fa.complete or va is not None
                known_b = fb.complete or vb is not None
                if known_a and known_b:
                    assert va == vb, f"{c['id']}: {ra} {f}={va!r} vs {rb} {f}={vb!r}"


@pytest.mark.parametrize(
    "a, b, why",
    [
        ("ZJ-IMG:BQ07ZZZ0B", "ZJ-IMG:BQ08ZZZ0B", "000 rows 53/60: 右 vs 左膝关节正侧位"),
        ("HE-IMG:72", "HE-IMG:69", "003 rows 72/69: 右侧 vs 左侧膝关节正位DR"),
        ("HE-IMG:122", "HE-IMG:123", "003 rows 122/123: 胸部CT平扫 vs 胸部CT增强"),
        ("CY-IMG:94", "CY-IMG:107", "004 rows 94/107: 胸部 CT 平扫 vs 胸部 CT 增强扫描"),
        ("HE-IMG:5", "ZJ-IMG:BW03ZZZ8B", "003 row 5 胸部正位DR vs 000 row 66 胸部正侧位"),
        ("BJ-IMG:BR00ZZZ00-00", "BJ-IMG:BR00ZZZ8B-00", "001 rows 14/13: 颈椎正位 vs 颈椎正侧位"),
        ("HE-IMG:17", "CY-IMG:19", "003 row 17 颈椎正位DR vs 004 row 19 颈椎正侧位摄影"),
        ("HE-IMG:167", "HE-IMG:168", "003 rows 167/168: 双侧 vs 左侧髋关节CT平扫"),
        ("CY-IMG:87", "CY-IMG:98", "004 rows 87/98: 双髋 vs 髋关节 (side not stated) CT 平扫"),
        ("HC-IMG:MR-16", "HC-IMG:MR-17", "002 MR(16)/(17): 颅脑 MRA vs 颅脑 MRA (增强)"),
        ("HE-IMG:93", "HE-IMG:94", "003 rows 93/94: 双乳轴位 vs 双乳斜位"),
        ("ZJ-IMG:BW03ZZZZ9", "ZJ-IMG:BW03ZZZZ8", "000 rows 65/68: 胸部右侧位 vs 左侧位"),
    ],
)
def test_known_different_exams_are_not_joined(a, b, why, index):
    assert b not in index.equivalents(a), why
    assert index.map_to_catalog(a, b.split(":", 1)[0]) != b, why


def test_left_never_maps_to_right_in_any_catalog(items, index):
    for ref, (_raw, f) in items.items():
        if f.laterality not in ("left", "right"):
            continue
        for other in index.equivalents(ref)[1:]:
            of = items[other][1]
            assert of.laterality in (f.laterality, None) and (of.laterality or not of.complete), (ref, other)


# ----------------------------------------------------------------------------------- OCR variants


@pytest.mark.parametrize(
    "variant, canonical",
    [
        ("BJ-IMG:BPONZZZZ7-00", "BJ-IMG:BP0NZZZZ7-00"),    # 001 row 38: letter O for digit 0
        ("BJ-IMG:B0201OZZZ-00", "BJ-IMG:B02010ZZZ-00"),    # 001 row 124: O at the contrast qualifier
        ("BJ-IMG:B030ZYZZ-00", "BJ-IMG:B030ZYZZZ-00"),     # 001 row 228: a lost Z
        ("BJ-IMG:BP0QZZZ1-00", "BJ-IMG:BP0QZZZZ1-00"),     # 001 row 33: a lost Z in a DR code
        ("BJ-IMG:BQ3N50AZ-00", "BJ-IMG:BQ3N50AZZ-00"),     # 001 row 285
        ("BJ-IMG:BPOPZZZZ1-00", "BJ-IMG:BP0PZZZZ1-00"),    # 001 rows 48/50 share it; the catalog gives it to row 50
        ("BJ-IMG:BW23ZYZZZ", "BJ-IMG:BW23ZYZZZ-00"),       # the -00 suffix left off
        ("bj-img: bw23zyzzz-00", "BJ-IMG:BW23ZYZZZ-00"),   # case and spacing
        ("ZJ-IMG:BW23ZYZZZ", "ZJ-IMG:BW23ZYZZZ"),
        ("HE-IMG:005", "HE-IMG:5"),
        ("HC-IMG:dr1", "HC-IMG:DR-1"),
        ("ZJ-LAB:1", "ZJ-LAB:1"),
        ("BJ-LAB:OO25010101500000000", "BJ-LAB:0025010101500000000"),
    ],
)
def test_ocr_variants_resolve(variant, canonical, index):
    assert index.resolve_ref(variant) == canonical


def test_every_printed_code_resolves_to_its_item(items, index):
    for ref, (raw, _f) in items.items():
        printed = raw.get("printed")
        if not printed or "@" in ref:
            continue
        assert index.resolve_ref(f"{ref.split(':', 1)[0]}:{printed}") == ref, (ref, printed)


def test_equivalents_of_a_variant_start_with_the_resolved_ref(index):
    assert index.equivalents("BJ-IMG:BPONZZZZ7-00")[0] == "BJ-IMG:BP0NZZZZ7-00"


@pytest.mark.parametrize("ref", ["BJ-IMG:NOPE-00", "XX-IMG:1", "HE-IMG:999", "HE-IMG:abc", "", "HE-IMG", "ZJ-IMG:BW23ZZ", "HC-IMG:XR-1"])
def test_unknown_refs(ref, index):
    assert index.resolve_ref(ref) is None
    assert index.equivalents(ref) == []
    assert index.map_to_catalog(ref, "HE-IMG") is None
    assert index.item_features(ref) == {}


# ----------------------------------------------------------------- catalogs with group items (HC-IMG)


def test_hc_img_excludes_neck_ct_plain(index):
    # 002 附件1 CT(4): "颈部 CT 平扫不作为互认项目" -> 003 row 117 颈部CT平扫 maps to nothing in HC-IMG
    assert index.map_to_catalog("HE-IMG:117", "HC-IMG") is None
    assert index.map_to_catalog("BJ-IMG:BW2FZYZZZ-00", "HC-IMG") is None
    # and the features the policy's excludedItems match on (seeds/policies/002.yaml)
    f = index.item_features("HE-IMG:117")
    assert (f["modality"], f["bodyPart"], f["contrast"]) == ("CT", "neck", "plain")


def test_hc_img_dr_1_covers_plain_films_it_lists(index):
    # 002 附件1 (1): DR of 胸部、四肢及关节、脊柱（颈椎、胸椎、腰椎、骶椎）、骨盆、腹部
    assert index.map_to_catalog("HE-IMG:5", "HC-IMG") == "HC-IMG:DR-1"           # 胸部正位DR
    assert index.map_to_catalog("BJ-IMG:BQ07ZZZ0B-00", "HC-IMG") == "HC-IMG:DR-1"  # 右膝正侧位 DR
    assert index.map_to_catalog("HE-IMG:1", "HC-IMG") is None                    # 头颅正位DR: skull not listed
    # coverage is not equivalence
    assert "HC-IMG:DR-1" not in index.equivalents("HE-IMG:5")


def test_head_ct_plain_maps_into_hc_img(index):
    # 003 row 95 颅脑CT平扫 = 002 CT(1) 头颅平扫
    assert index.map_to_catalog("HE-IMG:95", "HC-IMG") == "HC-IMG:CT-1"


# ---------------------------------------------------------------------------------- the normaliser


@pytest.mark.parametrize(
    "modality, name, expect",
    [
        ("DR", "胸部正位DR", ("chest", None, None, ("frontal",), "erect")),
        ("DR", "胸部站立后前位摄影", ("chest", None, None, ("frontal",), "erect")),
        ("DR", "胸部站立后前位及侧位摄影", ("chest", None, None, ("frontal", "lateral"), "erect")),
        ("DR", "左侧膝关节正位DR", ("knee", "left", None, ("frontal",), None)),
        ("DR", "右膝正侧位 DR", ("knee", "right", None, ("frontal", "lateral"), None)),
        ("DR", "胸部左侧位DR", ("chest", None, None, ("left_lateral",), "erect")),
        ("DR", "心脏左前斜位DR", ("heart", None, None, ("lao",), None)),
        ("MG", "双乳轴斜位钼靶", ("breast", "bilateral", None, ("CC", "MLO"), None)),
        ("CT", "颈部平扫+增强（颈部 CT 平扫不作为互认项目）", ("neck", None, "plain+contrast", None, None)),
        ("CT", "头颅CTA增强", ("head", None, "CTA", None, None)),
        ("CT", "头颈部动脉 CTA", ("head_neck", None, "CTA", None, None)),
        ("MR", "颅脑 MRA (增强)", ("head", None, "MRA+contrast", None, None)),
        ("MR", "头颅 MRI 平扫 (含 DWI)", ("head", None, "plain+DWI", None, None)),
        ("MR", "颅脑平扫 (T1WI, T2WI, FLAIR, DWI)", ("head", None, "plain+DWI", None, None)),
        ("MR", "胰胆管 MRI 水成像 (MRCP)", ("pancreaticobiliary_ducts", None, "MRCP", None, None)),
        ("CT", "双肾盂输尿管膀胱 CTU", ("urinary_tract", None, "CTU", None, None)),
    ],
)
def test_normalise(modality, name, expect, voc):
    f = normalise({"name": name, "modality": modality}, voc)
    assert f.complete, f.problems
    assert (f.body_part, f.laterality, f.contrast, f.views, f.position) == expect


@pytest.mark.parametrize(
    "modality, name",
    [
        ("MR", "右髌 MRI 平扫"),           # 001 row 290: OCR, 髌 alone names nothing
        ("MR", "髋髌关节 MRI 平扫"),        # 001 row 274
        ("MR", "垂体动脉MRI增强"),          # 003 row 234: 动脉 without an angiography technique
        ("MR", "膝关节 (T1WI、T2WI、PDWI 或压脂 T2WI)"),  # 002 MR(13): technique not stated
        ("DR", "双乳轴钼靶"),               # 001 row 98
        ("CT", "胸部 MRI 平扫"),            # modality words disagree
    ],
)
def test_unreadable_names_are_incomplete(modality, name, voc):
    assert not normalise({"name": name, "modality": modality}, voc).complete


def test_graph_attributes_shape(voc):
    a = graph_attributes({"name": "右膝正侧位 DR", "modality": "DR"}, voc)
    assert a == {"bodyPart": "knee", "laterality": "right", "contrast": None, "views": "frontal+lateral"}


def test_vocabulary_rejects_a_term_in_two_tables():
    with pytest.raises(ValueError, match="两|both"):
        Vocabulary({"body_part": {"胸部": "chest"}, "position": {"胸部": "erect"}})


def test_precision_sample_still_describes_the_crosswalk(index):
    """seeds/crosswalk/precision-sample.yaml: >= 50 hand-checked pairs; each still joined (or, if judged
    wrong, no longer joined) so the measured precision stays about the committed file."""
    sample = yaml.safe_load((crosswalk_dir() / "precision-sample.yaml").read_text(encoding="utf-8"))
    assert len(sample["pairs"]) >= 50
    assert len(sample["perCatalogPair"]) >= 10
    for p in sample["pairs"]:
        joined = p["b"] in index.equivalents(p["a"])
        assert joined == (p["verdict"] != "wrong"), p


# ------------------------------------------------------------- a new province: data only, no code


XX_IMG = """\
catalog: XX-IMG
name: 一个新省份的影像互认项目清单
source: '005'
clause: 附件
kind: imaging
localPattern: 0*(?P<number>\\d+)
localFormat: '{number}'
announced: 2
itemCount: 2
flaws: []
items:
- {ref: 'XX-IMG:1', local: '1', row: 1, name: 胸部正位DR, modality: DR}
- {ref: 'XX-IMG:2', local: '2', row: 2, name: 颅脑CT平扫, modality: CT}
excluded: []
"""


@pytest.fixture(scope="module")
def new_province(tmp_path_factory) -> Path:
    """A copy of the seeds with one more catalog file, XX-IMG (document 005), crosswalk rebuilt by the CLI."""
    seeds = tmp_path_factory.mktemp("seeds")
    shutil.copytree(ROOT / "seeds" / "catalogs", seeds / "catalogs")
    (seeds / "crosswalk").mkdir()
    shutil.copy(crosswalk_dir() / "vocabulary.yaml", seeds / "crosswalk" / "vocabulary.yaml")
    (seeds / "catalogs" / "XX-IMG.yaml").write_text(XX_IMG, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "hub.cli", "crosswalk", "build", "--seeds", str(seeds)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "XX-IMG" in r.stdout
    return seeds


def test_a_new_catalog_file_joins_the_crosswalk(new_province):
    built = yaml.safe_load(equivalences_file(new_province).read_text(encoding="utf-8"))
    assert list(built["summary"]["per_catalog"]) == [
        "ZJ-LAB", "ZJ-IMG", "BJ-LAB", "BJ-IMG", "HC-IMG", "HE-IMG", "CY-IMG", "XX-IMG"]
    chest = next(c for c in built["classes"] if "HE-IMG:5" in members(c))
    assert members(chest)[-1] == "XX-IMG:1"  # catalog order: document 005 after 004
    head = next(c for c in built["classes"] if "HE-IMG:95" in members(c))
    assert "XX-IMG:2" in members(head)
    # the index of that seeds directory answers for it, its references written as its file declares
    idx = CrosswalkIndex.from_seeds(new_province)
    assert idx.resolve_ref("xx-img:001") == "XX-IMG:1"
    assert idx.map_to_catalog("BJ-IMG:BW03ZZZZ1-00", "XX-IMG") == "XX-IMG:1"
    assert idx.equivalents("XX-IMG:1")[:2] == ["XX-IMG:1", "ZJ-IMG:BW03ZZZZ1"]
    assert idx.kind("XX-IMG") == "imaging"
    r = subprocess.run([sys.executable, "-m", "hub.cli", "crosswalk", "check", "--seeds", str(new_province)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_committed_crosswalk_is_stale_for_the_new_seeds(new_province):
    diff = artifact.check(new_province, equivalences_file())
    assert diff and "differs from the build in: summary, classes" in diff[0], diff[:3]


def test_two_indexes_live_side_by_side(new_province, index):
    """No module state: an index over other seeds changes nothing of the committed one's answers."""
    other = CrosswalkIndex.from_seeds(new_province)
    assert other.resolve_ref("XX-IMG:1") == "XX-IMG:1"
    assert index.resolve_ref("XX-IMG:1") is None
    assert index.map_to_catalog("HE-IMG:5", "XX-IMG") is None

