"""Three regional platforms as real Orthanc servers, loaded with synthetic studies over STOW-RS.

* ``bj`` (region 110000, catalog BJ-IMG): complete head CT (code in RequestedProcedureCodeSequence),
  chest DR (code in ProcedureCodeSequence, InstitutionName is an alias), a chest CT with no thin series
  and no code (item from StudyDescription), a 2019 study (outside the date range), and a study of the
  same id under another issuer.
* ``he`` (region 130000, catalog HE-IMG), **basic auth**: a brain MR with four sequences, a DR that
  announces 3 images but holds 2.
* ``cy`` (region 500000, catalog CY-IMG): an MR angiography without post-processed images, from an
  institution the hub does not know.

Orthanc comes from Debian (``scripts/install-test-deps.sh``); without it these tests fail, they do
not skip — a skipped fault test is a fault test that never ran.
"""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import AsyncIterator, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connectors.dicomweb import make_session
from connectors.platforms import Platform, parse_platforms
from tests.connectors.connectors_harness import OrthancServer, orthanc_missing
from tests.connectors.dicom_synth import SeriesSpec, StudySpec, make_instances

PATIENT = "P-1001"
ISSUER = "CN-RESIDENT"
ON = dt.date(2025, 6, 30)
SINCE = dt.date(2024, 1, 1)
HE_USER, HE_PASSWORD = "hub", "s3cret-he"

BJ, HE, CY = "bj-cloud", "he-cloud", "cy-cloud"

ORIGINAL = ("ORIGINAL", "PRIMARY", "AXIAL")
MPR = ("DERIVED", "SECONDARY", "MPR")


def _specs() -> dict[str, tuple[str, StudySpec]]:
    d = dt.date
    return {
        "bj_ct": (BJ, StudySpec(
            PATIENT, "CT", d(2025, 6, 10), "北京协和医院", "头颅 CT 平扫", issuer=ISSUER,
            requested_code="B020ZYZZZ-00",
            series=[SeriesSpec("Head 5mm", 3, 5.0, ORIGINAL), SeriesSpec("Head 1mm", 5, 1.0, ORIGINAL),
                    SeriesSpec("MPR Coronal", 2, 2.0, MPR)])),
        "bj_dr": (BJ, StudySpec(
            PATIENT, "DX", d(2025, 5, 2), "协和医院", "Chest PA", issuer=ISSUER,
            procedure_code="BW03ZZZZ1-00",
            series=[SeriesSpec("PA", 1, image_type=("ORIGINAL", "PRIMARY"))])),
        "bj_ct_thin_missing": (BJ, StudySpec(
            PATIENT, "CT", d(2025, 3, 15), "北京朝阳医院", "胸部 CT 平扫", issuer=ISSUER,
            series=[SeriesSpec("Chest 5mm", 3, 5.0, ORIGINAL), SeriesSpec("MIP", 1, 5.0, MPR)])),
        "bj_old": (BJ, StudySpec(
            PATIENT, "CT", d(2019, 2, 1), "北京协和医院", "头颅 CT 平扫", issuer=ISSUER,
            requested_code="B020ZYZZZ-00", series=[SeriesSpec("Head 5mm", 1, 5.0)])),
        "bj_other_issuer": (BJ, StudySpec(
            PATIENT, "CT", d(2025, 4, 1), "北京协和医院", "头颅 CT 平扫", issuer="OTHER-MPI",
            requested_code="B020ZYZZZ-00", series=[SeriesSpec("Head 5mm", 1, 5.0)])),
        "he_mr": (HE, StudySpec(
            PATIENT, "MR", d(2025, 6, 1), "河北医科大学第二医院", "头颅MRI平扫", issuer=ISSUER,
            series=[SeriesSpec("T1 SE", 2), SeriesSpec("T2 TSE", 2), SeriesSpec("FLAIR", 2),
                    SeriesSpec("DWI b1000", 2)])),
        "he_dr_short": (HE, StudySpec(
            PATIENT, "DX", d(2025, 1, 20), "河北医科大学第二医院", "胸部正位DR", issuer=ISSUER,
            series=[SeriesSpec("PA", 2, image_type=("ORIGINAL", "PRIMARY"))])),
        "cy_mra": (CY, StudySpec(
            PATIENT, "MR", d(2024, 11, 5), "重庆某未登记医院", "颅脑 MRI 平扫", issuer=ISSUER,
            series=[SeriesSpec("TOF 3D MRA", 3), SeriesSpec("T2 TSE", 2)])),
    }


@dataclass
class Scenario:
    servers: dict[str, OrthancServer]
    uids: dict[str, str]
    platform_file: dict[str, object]
    env: dict[str, str]
    platforms: list[Platform] = field(default_factory=list)

    def platform(self, pid: str) -> Platform:
        return next(p for p in self.platforms if p.id == pid)


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    why = orthanc_missing()
    if why:
        pytest.fail(f"Orthanc is needed for tests/connectors ({why}); run scripts/install-test-deps.sh")
    work = tmp_path_factory.mktemp("orthanc")
    servers = {
        BJ: OrthancServer("bj", work),
        HE: OrthancServer("he", work, users={HE_USER: HE_PASSWORD}),
        CY: OrthancServer("cy", work),
    }
    try:
        for server in servers.values():
            server.start()
        uids: dict[str, str] = {}
        for key, (pid, spec) in _specs().items():
            instances = make_instances(spec)
            if key == "he_dr_short":
                for ds in instances:
                    ds.ImagesInAcquisition = 3  # announces three images, two are uploaded
            servers[pid].stow(instances)
            uids[key] = spec.study_uid
        platform_file = {"platforms": [
            {"id": BJ, "name": "北京市影像云", "region": "110000", "protocol": "dicomweb",
             "baseUrl": servers[BJ].dicomweb, "timeoutS": 5},
            {"id": HE, "name": "河北省影像云", "region": "130000", "protocol": "dicomweb",
             "baseUrl": servers[HE].dicomweb, "timeoutS": 5},
            {"id": CY, "name": "川渝影像云", "region": "500000", "protocol": "dicomweb",
             "baseUrl": servers[CY].dicomweb, "auth": None, "timeoutS": 5},
        ]}
        env = {"HUB_PLATFORM_HE_CLOUD_USER": HE_USER, "HUB_PLATFORM_HE_CLOUD_PASSWORD": HE_PASSWORD}
        sc = Scenario(servers, uids, platform_file, env)
        sc.platforms = parse_platforms(platform_file, source="test-platforms.json", env=env)
        yield sc
    finally:
        for server in servers.values():  # SIGTERM all first, then wait: exits overlap (~2.5 s each)
            server.send(signal.SIGTERM)
        for server in servers.values():
            server.stop(signal.SIGTERM)


@pytest.fixture
def victim(tmp_path: Path) -> Iterator[OrthancServer]:
    """An Orthanc of the calling test alone, holding one CT of the patient (2025-02-02, one series):
    tests may freeze, kill or stop it, or delete from it."""
    server = OrthancServer("victim", tmp_path)
    server.start()
    spec = StudySpec(PATIENT, "CT", dt.date(2025, 2, 2), "北京协和医院", "头颅 CT 平扫", issuer=ISSUER,
                     series=[SeriesSpec("Head 5mm", 1, 5.0)])
    server.stow(make_instances(spec))
    yield server
    server.stop(signal.SIGKILL)


@pytest.fixture(scope="session")
async def http_session() -> AsyncIterator[object]:
    session = make_session(limit=50, limit_per_host=8)
    yield session
    await session.close()


# --------------------------------------------------------------------------------------------- directory
def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


class MemoryDirectory:
    """In-memory implementation of our own :class:`connectors.mapping.Directory` port (a test double
    of the hub's graph, not of any server).  Records every call so tests can check the batching."""

    CATALOG_OF_PROVINCE = {"110000": "BJ-IMG", "130000": "HE-IMG", "500000": "CY-IMG", "510000": "CY-IMG",
                           "330000": "ZJ-IMG"}

    def __init__(self, institutions: dict[str, tuple[str, ...]], items: dict[str, tuple[str, str]]) -> None:
        self.institutions = institutions  # id -> (name, *aliases)
        self.items = items  # ref -> (local code, name)
        self.calls: list[tuple[str, str | None, tuple[str, ...]]] = []

    def _catalog(self, region: str) -> str | None:
        return self.CATALOG_OF_PROVINCE.get(region[:2] + "0000")

    async def institutions_by_names(self, names: Collection[str]) -> dict[str, list[str]]:
        self.calls.append(("institutions", None, tuple(names)))
        return {n: sorted(i for i, known in self.institutions.items() if n in known) for n in names}

    async def items_by_codes(self, region: str, codes: Collection[str]) -> dict[str, list[str]]:
        self.calls.append(("codes", region, tuple(codes)))
        catalog = self._catalog(region)
        return {c: sorted(ref for ref, (local, _) in self.items.items()
                          if ref.startswith(f"{catalog}:") and local == c) for c in codes}

    async def items_by_names(self, region: str, names: Collection[str]) -> dict[str, list[str]]:
        self.calls.append(("names", region, tuple(names)))
        catalog = self._catalog(region)
        return {n: sorted(ref for ref, (_, name) in self.items.items()
                          if ref.startswith(f"{catalog}:") and _norm(name) == _norm(n)) for n in names}


@pytest.fixture
def directory() -> MemoryDirectory:
    return MemoryDirectory(
        institutions={
            "bj-xh": ("北京协和医院", "协和医院", "PUMCH"),
            "bj-cy": ("北京朝阳医院",),
            "he-2": ("河北医科大学第二医院", "河北医大二院"),
        },
        items={
            "BJ-IMG:B020ZYZZZ-00": ("B020ZYZZZ-00", "头颅 CT 平扫"),
            "BJ-IMG:BW03ZZZZ1-00": ("BW03ZZZZ1-00", "胸部正位 DR"),
            "BJ-IMG:BW23ZYZZZ-00": ("BW23ZYZZZ-00", "胸部 CT 平扫"),
            "HE-IMG:219": ("219", "头颅MRI平扫"),
            "HE-IMG:2": ("2", "胸部正位DR"),
            "CY-IMG:116": ("116", "颅脑 MRI 平扫"),
            "CY-IMG:92": ("92", "头部 CT 平扫"),
        },
    )
