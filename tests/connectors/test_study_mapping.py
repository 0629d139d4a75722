"""Study → institution and item through the Directory port (here the in-memory double of our port)."""

from __future__ import annotations

from connectors.mapping import StudyFacts, resolve
from tests.connectors.conftest import MemoryDirectory


def facts(name: str | None, codes: tuple[str, ...] = (), desc: str | None = None,
          region: str = "110000") -> StudyFacts:
    return StudyFacts(region=region, institution_name=name, codes=codes, description=desc)


async def test_institution_by_name_or_alias(directory: MemoryDirectory) -> None:
    got = await resolve(directory, [facts("北京协和医院"), facts("协和医院"), facts("PUMCH"), facts(" 协和医院 ")])
    assert [r.institution for r in got] == ["bj-xh"] * 4


async def test_item_by_code_before_description(directory: MemoryDirectory) -> None:
    # the code says head CT; the description would say chest CT: the code wins
    [r] = await resolve(directory, [facts("北京协和医院", ("B020ZYZZZ-00",), "胸部 CT 平扫")])
    assert (r.item, r.item_basis, r.reasons) == ("BJ-IMG:B020ZYZZZ-00", "code:B020ZYZZZ-00", ())


async def test_unknown_code_falls_back_to_description(directory: MemoryDirectory) -> None:
    [r] = await resolve(directory, [facts("北京协和医院", ("LOCAL-123",), "胸部CT平扫")])
    assert (r.item, r.item_basis) == ("BJ-IMG:BW23ZYZZZ-00", "description")


async def test_catalog_is_the_platform_regions(directory: MemoryDirectory) -> None:
    # a Beijing code means nothing on a Hebei platform; HE-IMG names its items without codes
    [he, he_by_name] = await resolve(directory, [facts("河北医大二院", ("B020ZYZZZ-00",), region="130000"),
                                                 facts("河北医大二院", (), "头颅MRI平扫", region="130104")])
    assert he.item is None and he.institution == "he-2"
    assert "no procedure code of the 130000 catalog" in he.reasons[0]
    assert he_by_name.item == "HE-IMG:219"


async def test_unresolved_reasons(directory: MemoryDirectory) -> None:
    got = await resolve(directory, [facts(None, (), None), facts("某医院", (), "腹部彩超")])
    assert got[0].reasons == ("the study has no InstitutionName",
                              "no procedure code of the 110000 catalog (codes: none) and no StudyDescription")
    assert got[1].reasons == ("InstitutionName '某医院' matches no hub institution (name or alias)",
                              "no procedure code of the 110000 catalog (codes: none) and StudyDescription "
                              "'腹部彩超' names no item of it")


async def test_ambiguity_is_not_a_pick(directory: MemoryDirectory) -> None:
    directory.institutions["bj-xh-west"] = ("协和医院西院", "协和医院")
    directory.items["BJ-IMG:DUP"] = ("B020ZYZZZ-00", "头颅 CT 平扫 (dup)")
    [r] = await resolve(directory, [facts("协和医院", ("B020ZYZZZ-00",))])
    assert r.institution is None and r.item is None
    assert "matches several hub institutions: bj-xh, bj-xh-west" in r.reasons[0]
    assert "procedure code 'B020ZYZZZ-00' names several items: BJ-IMG:B020ZYZZZ-00, BJ-IMG:DUP" in r.reasons[1]


async def test_lookups_are_batched(directory: MemoryDirectory) -> None:
    studies = [facts("北京协和医院", ("B020ZYZZZ-00",)), facts("北京朝阳医院", (), "胸部 CT 平扫"),
               facts("协和医院", ("BW03ZZZZ1-00",)), facts("河北医大二院", (), "头颅MRI平扫", region="130000"),
               facts("北京朝阳医院", (), "头颅 CT 平扫")]
    got = await resolve(directory, studies)
    assert [r.item for r in got] == ["BJ-IMG:B020ZYZZZ-00", "BJ-IMG:BW23ZYZZZ-00", "BJ-IMG:BW03ZZZZ1-00",
                                     "HE-IMG:219", "BJ-IMG:B020ZYZZZ-00"]
    kinds = [(kind, region) for kind, region, _ in directory.calls]
    # one institution call for all; codes and names once per region that has any
    assert sorted(kinds) == [("codes", "110000"), ("institutions", None),
                             ("names", "110000"), ("names", "130000")]
    names_110000 = next(args for kind, region, args in directory.calls if (kind, region) == ("names", "110000"))
    assert sorted(names_110000) == ["头颅 CT 平扫", "胸部 CT 平扫"]  # only studies without an item by code


async def test_no_studies_no_calls(directory: MemoryDirectory) -> None:
    assert await resolve(directory, []) == []
    assert directory.calls == []
