"""The public list (CONTRACT "Public list"; issue 17 item 3): /public/list.json and /public against the demo
dataset, on both stores; its bounds and refusals; open with authentication on.  The page in a real browser:
test_public_browser.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

import pytest

from tests.web.conftest import DAY, demo

#: the label each document prints for a scope, by the holder's province (001 三、4, 003 三(二), 004 6.4, the
#: JJJ overlay for a holder whose province prints none): written out here, not read from the policies
LABELS = {
    ("110000", "110000"): ("北京HR", "BJHR", "001", "三、4"),
    ("110000", "JJJ"): ("京津冀HR", "JJHR", "001", "三、4"),
    ("130000", "130000"): ("河北互认", "HBHR", "003", "三(二)"),
    ("130000", "JJJ"): ("京津冀互认", "JJJHR", "003", "三(二)"),
    ("510000", "CY"): ("川渝HR", "CYHR", "004", "6.4"),
    ("500000", "CY"): ("川渝HR", "CYHR", "004", "6.4"),
}
NAMES = {"110000": "北京市", "130000": "河北省", "130100": "石家庄市", "330000": "浙江省", "330100": "杭州市",
         "500000": "重庆市", "510000": "四川省", "510100": "成都市", "JJJ": "京津冀", "CY": "川渝"}


def province(region: str) -> str:
    return region[:2] + "0000"


def city(region: str) -> str | None:
    return None if region[:2] in ("11", "12", "31", "50") else region[:4] + "00"


def expected(*, expired: bool = False, prefixes: tuple[str, ...] | None = None) -> list[dict]:
    """The list as the dataset says it should read on DAY: (institution, its marks) in (region, id) order."""
    data = demo()
    insts = {i["id"]: i for i in data["institutions"]}
    by_inst: dict[str, list[dict]] = {}
    for m in data["marks"]:
        if expired or m["validTo"] is None or dt.date.fromisoformat(m["validTo"]) >= DAY:
            by_inst.setdefault(m["institution"], []).append(m)
    out = []
    for iid in sorted(by_inst, key=lambda i: (insts[i]["region"], i)):
        inst = insts[iid]
        if prefixes is not None and not inst["region"].startswith(prefixes):
            continue
        marks = sorted(by_inst[iid], key=lambda m: (m["item"], m["scope"], m["validFrom"]))
        out.append({"id": iid, "name": inst["name"], "tier": inst["tier"], "region": inst["region"], "marks": marks})
    return out


def get_json(hub, path: str) -> dict:
    status, headers, body = hub.request("GET", path)
    assert status == 200, (path, status, body[:500])
    assert headers["content-type"].startswith("application/json")
    return json.loads(body)


def walk(hub, path: str) -> tuple[list[dict], int]:
    """Every institution of a list, following ``next``; and the number of pages."""
    out, pages = [], 0
    while path:
        page = get_json(hub, path)
        out.extend(page["institutions"])
        pages += 1
        path = page["next"]
        assert pages < 50
    return out, pages


def test_list_json_is_the_dataset(store_hub):
    page = get_json(store_hub, f"/public/list.json?on={DAY}")
    assert page["day"] == DAY.isoformat() and page["next"] is None and page["truncated"] is False
    assert [s["source"] for s in page["sources"]] == ["000", "004"]
    want = expected()
    assert [i["id"] for i in page["institutions"]] == [w["id"] for w in want]
    for got, w in zip(page["institutions"], want):
        assert (got["name"], got["tier"], got["region"]["code"]) == (w["name"], w["tier"], w["region"])
        assert got["province"]["code"] == province(w["region"])
        assert got["province"]["name"] == NAMES[province(w["region"])]
        assert (got["city"] or {}).get("code") == city(w["region"])
        if city(w["region"]):
            assert got["city"]["name"] == NAMES[city(w["region"])]
        assert [(m["item"], m["scope"], m["validFrom"], m["validTo"]) for m in got["marks"]] == [
            (m["item"], m["scope"], m["validFrom"], m["validTo"]) for m in w["marks"]]
        for m in got["marks"]:
            label = LABELS.get((province(w["region"]), m["scope"]))
            assert (m["label"], m["labelCode"], m["labelSource"], m["labelClause"]) == (label or (None,) * 4), (w["id"], m)
            assert m["scopeName"] == NAMES.get(m["scope"]), m
            assert m["status"] == "valid" and m["catalog"] == m["item"].split(":")[0]
            assert m["itemName"]
    # the lapsed mark (bj-hd-3b, valid to 2025-06-30) is not on the list of DAY
    assert "bj-hd-3b" not in {i["id"] for i in page["institutions"]}


def test_item_names_and_labels_are_the_hub_s_own_answers(store_hub):
    """Item names as GraphQL's catalog items give them; a label as recognizability shows it."""
    page = get_json(store_hub, f"/public/list.json?on={DAY}")
    refs = sorted({m["item"] for i in page["institutions"] for m in i["marks"]})
    for ref in refs:
        out = store_hub.gql("query($i: String!) { equivalents(item: $i) { ref name } }", {"i": ref})
        names = {e["ref"]: e["name"] for e in out["data"]["equivalents"]}
        shown = {m["itemName"] for i in page["institutions"] for m in i["marks"] if m["item"] == ref}
        assert shown == {names[ref]}, ref
    # bj-xh's chest CT asked in Shijiazhuang: the engine shows the JJJ mark as 京津冀HR, as the list does
    out = store_hub.gql("""{ recognizability(study: {institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00",
        performedOn: "2026-11-11"}, at: "he-sjz-1", on: "2026-11-23") { mark markCode } }""")
    bj = next(i for i in page["institutions"] if i["id"] == "bj-xh")
    jjj = next(m for m in bj["marks"] if m["scope"] == "JJJ")
    assert (out["data"]["recognizability"]["mark"], out["data"]["recognizability"]["markCode"]) == (jjj["label"], jjj["labelCode"])


@pytest.mark.parametrize("region, prefixes", [("JJJ", ("11", "12", "13")), ("CY", ("50", "51")), ("130000", ("13",)),
                                              ("130100", ("1301",)), ("510104", ("510104",)), ("CN", None)])
def test_region_filter_and_paging(store_hub, region, prefixes):
    want = [w["id"] for w in expected(prefixes=prefixes)]
    page = get_json(store_hub, f"/public/list.json?on={DAY}&region={region}")
    assert [i["id"] for i in page["institutions"]] == want
    assert page["region"]["code"] == region and page["region"]["name"]
    # one institution a page: the same list; every page reads at least one institution (holder or not), so
    # the pages are no more than the region's institutions, plus the last that finds nothing more
    walked, pages = walk(store_hub, f"/public/list.json?on={DAY}&region={region}&limit=1")
    assert [i["id"] for i in walked] == want
    inside = [i for i in demo()["institutions"] if prefixes is None or i["region"].startswith(prefixes)]
    assert len(want) <= pages <= len(inside) + 1


def test_expired_marks_on_request(store_hub):
    page = get_json(store_hub, f"/public/list.json?on={DAY}&region=110000&expired=1")
    assert [i["id"] for i in page["institutions"]] == [w["id"] for w in expected(expired=True, prefixes=("11",))]
    lapsed = next(i for i in page["institutions"] if i["id"] == "bj-hd-3b")["marks"]
    assert [(m["validTo"], m["status"], m["label"]) for m in lapsed] == [("2025-06-30", "expired", "北京HR")]
    # a mark valid only later is listed (pending) on a day before it starts
    early = get_json(store_hub, "/public/list.json?on=2024-06-01&region=130000")
    assert {m["status"] for i in early["institutions"] for m in i["marks"]} == {"pending"}


@pytest.mark.parametrize("query, names", [
    ("region=XX", "region"), ("region=" + quote("<script>"), "region"), ("limit=0", "limit"), ("limit=501", "limit"),
    ("limit=abc", "limit"), ("after=%%%", "after"), ("after=WyJ4Il0", "after"), ("on=2026-13-01", "on"),
])
def test_bad_parameters_are_refused_naming_them(demo_hub, query, names):
    status, _, body = demo_hub.request("GET", f"/public/list.json?{query}")
    assert status == 400 and json.loads(body)["error"].startswith(names + ":"), body
    status, headers, page = demo_hub.request("GET", f"/public?{query}")
    assert status == 400 and "参数错误" in page.decode() and "<script>" not in page.decode()
    assert "default-src 'none'" in headers["content-security-policy"]


def test_page_is_chinese_names_beside_ids_and_loads_only_its_own_files(demo_hub):
    status, headers, body = demo_hub.request("GET", f"/public?on={DAY}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = body.decode()
    assert '<html lang="zh-CN">' in page and "检查检验结果互认机构及项目名单" in page and "000 六(四)" in page
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "connect-src" not in csp
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [r for r in refs if r.startswith("/public/assets/")]
    assert {"/public/assets/public.css", "/public/assets/public.js"} <= set(assets)
    assert all(r.startswith("/") for r in refs), refs  # nothing from another origin
    assert "<script>" not in page and " style=" not in page and " on" + "click=" not in page  # no inline code
    for w in expected():
        assert f'{w["name"]}</span> <span class="id">{w["id"]}</span>' in page  # the name beside the id
    assert "北京市 <span class=\"id\">110000</span>" in page
    for ref in assets:
        s, h, data = demo_hub.request("GET", ref, headers={"Accept-Encoding": "gzip"})
        assert s == 200 and h["content-encoding"] == "gzip" and h["x-content-type-options"] == "nosniff", ref
    s, h, _ = demo_hub.request("GET", "/public/assets/public.css")
    assert demo_hub.request("GET", "/public/assets/public.css", headers={"If-None-Match": h["etag"]})[0] == 304
    assert demo_hub.request("GET", "/public/assets/..%2Fpublic.py")[0] == 404
    assert demo_hub.request("GET", "/public/assets/nope.js")[0] == 404
    # printable: the stylesheet has a print layout that drops the controls
    css = demo_hub.request("GET", "/public/assets/public.css")[2].decode()
    assert "@media print" in css and "form.controls" in css.split("@media print", 1)[1]


def test_open_without_a_token_when_authentication_is_on(secured):
    assert secured.request("POST", "/graphql", b'{"query": "{ catalogs { id } }"}',
                           {"Content-Type": "application/json"})[0] == 401
    for path in (f"/public?on={DAY}", f"/public/list.json?on={DAY}", "/public/assets/public.js", "/"):
        status, _, body = secured.request("GET", path)
        assert status == 200, (path, body[:300])
    page = json.loads(secured.request("GET", f"/public/list.json?on={DAY}")[2])
    assert [i["id"] for i in page["institutions"]] == [w["id"] for w in expected()]
