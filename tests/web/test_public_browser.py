"""The public list in a real browser: Debian's headless chromium driven by tools/gateway/public-check.mjs
(playwright-core) with the outside network unreachable.  It loads /public, reads the list as rendered, types
into the search box, switches to the print layout (and prints a PDF), and picks a region in the selector;
the screenshots and the PDF stay in the test's tmp_path.  The text is checked against seeds/demo/demo.yaml."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.graphql.support import GATEWAY_TOOLS
from tests.web.conftest import DAY
from tests.web.test_public import LABELS, NAMES, expected, province

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TIERS = {"3A": "三级甲等", "2A": "二级甲等", "0": "未定级"}


def run_check(hub, tmp_path: Path, search: str, region: str) -> dict:
    assert Path(CHROMIUM).exists(), "chromium missing: run scripts/install-test-deps.sh"
    r = subprocess.run(
        ["node", "public-check.mjs", f"{hub.url}/public?on={DAY}", str(tmp_path), search, region], cwd=GATEWAY_TOOLS,
        capture_output=True, text=True, timeout=300, env={"CHROMIUM": CHROMIUM, "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert "error" not in report, report.get("error")
    return report


def rendered(institution: dict) -> str:
    return f'{institution["name"]} {institution["id"]}'


def test_public_list_in_chromium_offline(demo_hub, tmp_path):
    report = run_check(demo_hub, tmp_path, "川渝HR", "130000")
    assert report["status"] == 200 and "default-src 'none'" in report["csp"]
    assert report["h1"] == "检查检验结果互认机构及项目名单" and report["where"] == "全国"
    assert report["stylesheetApplied"] == "solid"  # public.css loaded (the province headings' rule)

    # the list as rendered is the dataset: institutions in region order under their province (and city)
    want = expected()
    shown = report["list"]
    assert [s["head"].split(" · ")[0] for s in shown] == [rendered(w) for w in want]
    for s, w in zip(shown, want):
        assert s["province"] == f'{NAMES[province(w["region"])]} {province(w["region"])}'
        assert TIERS.get(w["tier"], w["tier"]) in s["head"]
        assert len(s["marks"]) == len(w["marks"])
        for cells, m in zip(s["marks"], w["marks"]):
            item, label, scope, validity = cells
            assert item.endswith(m["item"]), (item, m)
            want_label = LABELS.get((province(w["region"]), m["scope"]))
            assert label.startswith(f"{want_label[0]} {want_label[1]}") if want_label else label == "—", (label, m)
            assert scope == f'{NAMES[m["scope"]]} {m["scope"]}', scope
            assert validity.startswith(f'{m["validFrom"]} 至 {m["validTo"] or "长期"}'), validity
    assert report["provinces"] == ["北京市 110000", "河北省 130000", "浙江省 330000", "重庆市 500000", "四川省 510000"]
    assert report["cities"] == ["石家庄市 130100", "杭州市 330100", "成都市 510100"]

    # typing in the search box leaves only what matches: the three 川渝HR holders under 重庆 and 四川
    cy = [w for w in want if any(m["scope"] == "CY" for m in w["marks"])]
    assert [s["head"].split(" · ")[0] for s in report["search"]["list"]] == [rendered(w) for w in cy]
    assert report["search"]["provinces"] == ["重庆市 500000", "四川省 510000"]
    assert report["search"]["count"] == f"找到 {len(cy)} 家机构、{len(cy)} 条标识"

    # printable: the controls are gone in print media, the whole list stays, and a PDF prints
    assert report["print"] == {"controlsHidden": True, "listRows": sum(len(w["marks"]) for w in want)}
    assert (tmp_path / "public.pdf").stat().st_size > 10_000

    # the region selector: Hebei only
    assert report["region"]["where"] == "河北省 130000" and "region=130000" in report["region"]["url"]
    assert [s["head"].split(" · ")[0] for s in report["region"]["list"]] == [
        rendered(w) for w in expected(prefixes=("13",))]

    # nothing left loopback, nothing violated the CSP, no script error
    assert report["offLoopback"] == [] and report["cspViolations"] == []
    assert report["consoleErrors"] == [] and report["pageErrors"] == []
    prefix = f"{demo_hub.url}/"
    assert all(line.split(" ", 1)[1].startswith(prefix) for line in report["requests"]), report["requests"]
    paths = {line.split(" ", 1)[1][len(prefix) - 1:].split("?")[0] for line in report["requests"]}
    assert paths == {"/public", "/public/assets/public.css", "/public/assets/public.js", "/public/assets/favicon.svg"}
    for shot in ("public.png", "public-search.png", "public-print.png"):
        assert (tmp_path / shot).stat().st_size > 10_000, shot
