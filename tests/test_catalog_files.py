"""Catalogs are data: found by listing seeds/catalogs/, each file declaring its kind and how its references
are written (hub/domain/catalog_file.py, DESIGN.md "Seed catalog file format")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.catalogs import read_catalogs
from hub.domain.catalog_file import CatalogFileError, read_catalog_file, read_seed_catalogs
from hub.domain.seeds import DEFAULT_SEEDS_DIR, catalogs_dir

CONTRACT_ORDER = ["ZJ-LAB", "ZJ-IMG", "BJ-LAB", "BJ-IMG", "HC-IMG", "HE-IMG", "CY-IMG"]

MINIMAL = """\
catalog: XX-IMG
name: 新省份影像清单
source: '005'
clause: 附件
kind: imaging
itemCount: 1
items:
- {ref: 'XX-IMG:1', local: '1', row: 1, name: 胸部正位DR, modality: DR}
"""


def test_the_contract_order_follows_from_the_files():
    assert list(read_seed_catalogs()) == CONTRACT_ORDER
    assert list(read_catalogs()) == CONTRACT_ORDER


def test_each_file_declares_its_kind():
    kinds = {cid: c.spec.kind for cid, c in read_seed_catalogs().items()}
    assert {cid for cid, k in kinds.items() if k == "lab"} == {"ZJ-LAB", "BJ-LAB"}
    assert read_catalogs()["BJ-LAB"].kind == "lab"


def test_the_code_of_a_local_comes_from_the_declared_pattern():
    specs = {cid: c.spec for cid, c in read_seed_catalogs().items()}
    assert specs["BJ-IMG"].local.code_of("BW23ZYZZZ-00") == "BW23ZYZZZ"
    assert specs["BJ-IMG"].local.code_of("BP0PZZZZ1-00@48") == "BP0PZZZZ1"
    assert specs["ZJ-IMG"].local.code_of("BW23ZYZZZ") == "BW23ZYZZZ"
    assert specs["HE-IMG"].local.code_of("122") is None  # serial numbers are not codes
    assert not specs["HC-IMG"].local.coded


def test_a_new_catalog_file_is_found_without_code(tmp_path):
    shutil.copytree(catalogs_dir(DEFAULT_SEEDS_DIR), catalogs_dir(tmp_path))
    (catalogs_dir(tmp_path) / "XX-IMG.yaml").write_text(MINIMAL, encoding="utf-8")
    catalogs = read_catalogs(tmp_path)
    assert list(catalogs) == [*CONTRACT_ORDER, "XX-IMG"]
    assert catalogs["XX-IMG"].kind == "imaging"
    assert [i.ref for i in catalogs["XX-IMG"].items] == ["XX-IMG:1"]


@pytest.mark.parametrize(
    "change, message",
    [
        (("kind: imaging\n", ""), "missing key 'kind'"),
        (("kind: imaging\n", "kind: radiology\n"), "kind 'radiology' is not one of lab, imaging"),
        (("catalog: XX-IMG\n", "catalog: YY-IMG\n"), "catalog 'YY-IMG' differs from the file name 'XX-IMG'"),
        (("kind: imaging\n", "kind: imaging\nlocalPattern: '(?P<n>\\d+'\nlocalFormat: '{n}'\n"), "localPattern is not a regular expression"),
        (("kind: imaging\n", "kind: imaging\nlocalPattern: '(?P<n>\\d+)'\n"), "localPattern needs a localFormat"),
        (("kind: imaging\n", "kind: imaging\nlocalPattern: '(?P<n>\\d+)'\nlocalFormat: '{number}'\n"), "localFormat names number"),
        (("kind: imaging\n", "kind: imaging\nlocalPattern: '(?P<n>\\d+)'\nlocalFormat: '{n}'\nocrLetters: {L: '1'}\n"),
         "ocrLetters apply to codes"),
    ],
)
def test_a_bad_declaration_is_refused_naming_file_and_key(tmp_path: Path, change, message):
    path = tmp_path / "XX-IMG.yaml"
    path.write_text(MINIMAL.replace(*change), encoding="utf-8")
    with pytest.raises(CatalogFileError) as exc:
        read_catalog_file(path)
    assert str(path) in str(exc.value) and message in str(exc.value)
