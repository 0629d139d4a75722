"""The public list (CONTRACT "Public list"; 000 六(四), 004 10.3 publish the recognized institutions and items).

``GET /public`` is a Chinese HTML page, ``GET /public/list.json`` the same list as JSON: the institutions
holding marks, by province and city, each mark with its label, scope and validity.  Both are open without a
token (they lie outside the Guard's paths, /graphql and /admin/load) and hold no patient data: they read
Institution and Mark nodes only.

Bounded: a page shows at most ``limit`` institutions (50 on the page, 100 in JSON by default, 500 at most)
and reads windows of twice that many in (region, id) order, each one round trip of the named statement
``public.list`` (graph/cypher/common/public.list.cypher) holding at most :data:`MAX_MARKS` marks, and stops
when ``limit`` institutions with a mark to show were found or after :data:`MAX_WINDOWS` windows.  Keyset
paging: the next page starts after the last institution read, so no page costs a deep SKIP, and the national
store (1M institutions, 5M marks) is read a page at a time (one window there: 0.3–0.6 s at a load of ~5,
0.9–1.9 s at ~9 on this 2-core machine; the statement's comment says why this shape).
``region`` narrows it to a province, city, county or zone (GB/T 2260 code, JJJ, CY: one window per
province of the zone).  Only marks still valid on the day (today in China, or ``on``) are listed, and
institutions holding one, unless ``expired=1``.

Each mark's label is the one the recognition engine shows for that scope (its own rule, not a copy: see
:func:`mark_label`); region names are the graph's; item names come from the catalogs the hub was started
with (the same records the store's CatalogItem nodes were seeded from).

The page loads nothing from outside (CSP ``default-src 'none'``, its CSS and JS from
hub/web/static/public/, no CDN), filters its rows as you type (public.js) and prints without the controls
(public.css ``@media print``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import hashlib
import html
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from hub.domain.policy import MarkLabel, Policy
from hub.domain.recognition import RecognitionEngine

CHINA = ZoneInfo("Asia/Shanghai")
ASSETS_DIR = Path(__file__).parent / "static" / "public"
ASSETS = "/public/assets/"
#: institutions per page: on the HTML page, in list.json by default, and the most either accepts
PAGE_HTML, PAGE_JSON, MAX_PAGE = 50, 100, 500
#: rows (marks) one window reads at most (a 3A hospital of the synthetic national store holds ~190 marks)
MAX_MARKS = 5000
#: a window is WINDOW x the page's limit institutions; a page reads MAX_WINDOWS windows at most (PublicList.page)
WINDOW, MAX_WINDOWS = 2, 4
SOURCES = ({"source": "000", "clause": "六(四)"}, {"source": "004", "clause": "10.3"})
TIERS = {"3A": "三级甲等", "3B": "三级乙等", "3": "三级", "2A": "二级甲等", "2B": "二级乙等", "2": "二级",
         "1": "一级", "0": "未定级"}
STATUS = {"valid": "有效", "pending": "未生效", "expired": "已过期"}

CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-cache"}


class BadQuery(ValueError):
    """A query parameter the list cannot use, named in the message."""


# --------------------------------------------------------------------------------------------- the label


def mark_label(engine: RecognitionEngine, scope: str, region: str) -> tuple[Policy, MarkLabel] | None:
    """The label a mark of ``scope`` held in ``region`` is shown with: the engine's own rule
    (:meth:`RecognitionEngine.mark_label`), so the page cannot drift from the answers."""
    return engine.mark_label(scope, region)


# --------------------------------------------------------------------------------------------- the query


@dataclass(frozen=True)
class RegionChoice:
    code: str
    name: str
    level: str


@dataclass
class Listing:
    """One page of the list, as both renderings show it."""

    day: dt.date
    expired: bool
    region: RegionChoice | None
    limit: int
    institutions: list[dict[str, Any]]
    after: tuple[str, str] | None  # the cursor of the next page; None on the last
    truncated: bool = False  # one institution held more than MAX_MARKS marks: the rest is not shown
    seconds: float = 0.0
    regions: Sequence[RegionChoice] = field(default_factory=tuple)
    day_asked: bool = False  # ``on`` was given (kept when the region changes)
    scanned: int = 0  # institutions read for this page (holders or not)


def encode_cursor(region: str, ident: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([region, ident])).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[str, str]:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        raise BadQuery(f"after: {text[:40]!r} is not a cursor this list gave") from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise BadQuery(f"after: {text[:40]!r} is not a cursor this list gave")
    return value[0], value[1]


def code_prefix(code: str) -> str:
    """A GB/T 2260 code as the prefix of the codes inside it: 110000 -> 11, 130100 -> 1301, 130102 itself."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


class PublicList:
    """Reads pages of the list through the runtime's store; the region choices are read once."""

    def __init__(self, holder: Mapping[str, Any]) -> None:
        self.holder = holder
        self._regions: list[RegionChoice] | None = None
        #: (scope, the holder's province) -> its label: the policies and regions live as long as the process
        self._labels: dict[tuple[str, str], Any] = {}

    @property
    def runtime(self) -> Any:
        return self.holder["runtime"]

    async def regions(self) -> list[RegionChoice]:
        if self._regions is None:
            rows = await self.runtime.store.read("public.regions")
            self._regions = [RegionChoice(r["code"], r["name"], r["level"]) for r in rows]
        return self._regions

    async def prefixes(self, code: str | None) -> tuple[RegionChoice | None, list[str] | None]:
        """(the region asked for, the code prefixes it covers; None: everywhere)."""
        if not code:
            return None, None
        choices = {r.code: r for r in await self.regions()}
        index = self.runtime.engine.regions
        if code in choices:
            region = choices[code]
        elif code.isdigit() and len(code) == 6 and code in index.names:  # a county
            region = RegionChoice(code, index.names[code], "county")
        else:
            raise BadQuery(f"region: {code[:40]!r} is not a region code of the graph (GB/T 2260, a zone, or the nation)")
        if region.level == "nation":
            return region, None
        if region.level == "zone":
            provinces = [r.code for r in choices.values() if r.level == "province" and index.contains(code, r.code)]
            return region, sorted(code_prefix(p) for p in provinces) or ["-"]
        return region, [code_prefix(code)]

    async def page(self, query: Mapping[str, str], default_limit: int) -> Listing:
        """One page: windows of twice ``limit`` institutions read in (region, id) order (``public.list``)
        until ``limit`` of them hold a mark to show, the region is exhausted, or :data:`MAX_WINDOWS` windows
        were read — a page of a region where few institutions hold marks may be short, never slow.  A window
        costs about the same whatever its size (the scan of the institutions and the HOLDS join dominate: ~0.9 s
        for 200 or 1,000 of 1M on a loaded 2-core machine), so it reads twice the page: one usually suffices."""
        started = time.perf_counter()
        limit = _int(query.get("limit"), default_limit, "limit", 1, MAX_PAGE)
        expired = query.get("expired", "") in ("1", "true", "on", "yes")
        day = dt.datetime.now(CHINA).date()
        if query.get("on"):
            try:
                day = dt.date.fromisoformat(query["on"])
            except ValueError:
                raise BadQuery(f"on: {query['on'][:40]!r} is not a date (YYYY-MM-DD)") from None
        region, prefixes = await self.prefixes(query.get("region"))
        cursor = decode_cursor(query["after"]) if query.get("after") else ("", "")
        plan: list[str | None] = list(prefixes) if prefixes is not None else [None]
        size = WINDOW * limit  # institutions per window: holders are usually most, so one window fills a page
        shown: list[dict[str, Any]] = []
        truncated = False
        windows = scanned = 0
        k = 0
        while k < len(plan) and len(shown) < limit and windows < MAX_WINDOWS:
            prefix = plan[k]
            if prefix is not None and cursor[0] > prefix and not cursor[0].startswith(prefix):
                k += 1  # the cursor is past this province of a zone
                continue
            rows = await self.runtime.store.read("public.list", {
                "anyRegion": prefix is None, "region": prefix or "", "afterRegion": cursor[0],
                "afterId": cursor[1], "limit": size, "maxRows": MAX_MARKS,
            })
            windows += 1
            window = _window(rows)
            capped = len(rows) >= MAX_MARKS
            if capped and len(window) > 1:
                window.pop()  # the row cap cut the last institution: it starts the next window
            elif capped:
                truncated = True  # one institution with more marks than a page holds: its first MAX_MARKS
            for first, marks in window:
                cursor = (first["region"], first["id"])
                scanned += 1
                inst = self._institution(first, marks, day, expired)
                if inst is not None:
                    shown.append(inst)
                    if len(shown) == limit:
                        break
            if len(window) < size and not capped and len(shown) < limit:
                k += 1  # the window ended before its limit: nothing more under this prefix
        more = k < len(plan)
        return Listing(day, expired, region, limit, shown, cursor if more else None, truncated,
                       time.perf_counter() - started, await self.regions(), bool(query.get("on")), scanned)

    def _institution(self, first: Mapping[str, Any], marks: Sequence[Mapping[str, Any]], day: dt.date,
                     expired: bool) -> dict[str, Any] | None:
        """The institution as both renderings show it, with the marks valid on ``day`` (or later; all with
        ``expired``); None when it has none to show."""
        kept = [m for m in marks if expired or m["validTo"] is None or m["validTo"] >= day]
        if not kept:
            return None
        rt = self.runtime
        index = rt.engine.regions
        names = index.names
        region = first["region"]
        province = index.province_of(region)
        city = next((c for c in index.scopes_containing(region)
                     if c.isdigit() and len(c) == 6 and c.endswith("00") and not c.endswith("0000")), None)
        out: list[dict[str, Any]] = []
        for m in kept:
            key = (m["scope"], province or region)
            labelled = self._labels.get(key, False)
            if labelled is False:
                labelled = self._labels[key] = mark_label(rt.engine, m["scope"], region)
            item = rt.items.by_ref.get(m["item"])
            valid_from, valid_to = m["validFrom"], m["validTo"]
            status = "pending" if valid_from > day else "expired" if valid_to is not None and valid_to < day else "valid"
            out.append({
                "item": m["item"], "itemName": item.name if item else None, "catalog": m["item"].split(":", 1)[0],
                "scope": m["scope"], "scopeName": names.get(m["scope"]),
                "label": labelled[1].label if labelled else None, "labelCode": labelled[1].code if labelled else None,
                "labelSource": labelled[0].source if labelled else None,
                "labelClause": labelled[1].clause if labelled else None,
                "validFrom": valid_from.isoformat(), "validTo": valid_to.isoformat() if valid_to else None,
                "status": status,
            })
        return {
            "id": first["id"], "name": first["name"], "tier": first["tier"],
            "region": {"code": region, "name": names.get(region)},
            "province": {"code": province, "name": names.get(province)} if province else None,
            "city": {"code": city, "name": names.get(city)} if city else None,
            "marks": out,
        }


def _window(rows: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """``public.list`` rows as (the institution's first row, its marks) in order; no marks: an empty list."""
    out: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = []
    for r in rows:
        if not out or out[-1][0]["id"] != r["id"]:
            out.append((r, []))
        if r["item"] is not None:
            out[-1][1].append(r)
    return out


def _int(text: str | None, default: int, name: str, low: int, high: int) -> int:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadQuery(f"{name}: {text[:40]!r} is not a number") from None
    if not low <= value <= high:
        raise BadQuery(f"{name}: {value} is outside {low}–{high}")
    return value


def _next_query(request: Request, listing: Listing) -> str | None:
    if listing.after is None:
        return None
    params = {k: v for k, v in request.query_params.items() if k != "after"}
    params["after"] = encode_cursor(*listing.after)
    return f"{request.url.path}?{urlencode(params)}"


# --------------------------------------------------------------------------------------------- JSON


def listing_json(listing: Listing, next_url: str | None) -> dict[str, Any]:
    return {
        "title": "检查检验结果互认机构及项目名单",
        "sources": list(SOURCES),
        "day": listing.day.isoformat(),
        "expired": listing.expired,
        "region": {"code": listing.region.code, "name": listing.region.name, "level": listing.region.level}
        if listing.region else None,
        "limit": listing.limit,
        "maxMarks": MAX_MARKS,
        "institutions": listing.institutions,
        "next": next_url,
        "truncated": listing.truncated,
    }


# --------------------------------------------------------------------------------------------- HTML


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _named(place: Mapping[str, Any] | None) -> str:
    if not place:
        return ""
    return f'{_e(place["name"] or place["code"])} <span class="id">{_e(place["code"])}</span>'


def _region_options(listing: Listing) -> str:
    chosen = listing.region.code if listing.region else ""
    regions = list(listing.regions)
    nation = next((r for r in regions if r.level == "nation"), None)
    opts = [f'<option value=""{" selected" if not chosen else ""}>全国{f"（{_e(nation.code)}）" if nation else ""}</option>']

    def option(r: RegionChoice, indent: str = "") -> str:
        sel = " selected" if r.code == chosen else ""
        return f'<option value="{_e(r.code)}"{sel}>{indent}{_e(r.name)} {_e(r.code)}</option>'

    zones = [r for r in regions if r.level == "zone"]
    if zones:
        opts.append('<optgroup label="跨省区域">' + "".join(option(z) for z in zones) + "</optgroup>")
    cities: dict[str, list[RegionChoice]] = {}
    for r in regions:
        if r.level == "city":
            cities.setdefault(r.code[:2], []).append(r)
    group = []
    for p in (r for r in regions if r.level == "province"):
        group.append(option(p))
        group.extend(option(c, "\u3000") for c in cities.get(p.code[:2], ()))
    opts.append('<optgroup label="省 · 市">' + "".join(group) + "</optgroup>")
    if listing.region and listing.region.level == "county":
        opts.append(option(listing.region))
    return "".join(opts)


def _validity(m: Mapping[str, Any]) -> str:
    until = m["validTo"] or "长期"
    return f'{_e(m["validFrom"])} 至 {_e(until)}'


def _institution_rows(inst: Mapping[str, Any]) -> str:
    tier = TIERS.get(inst["tier"], inst["tier"])
    head = (f'<tr class="inst"><th colspan="5" scope="rowgroup"><span class="name">{_e(inst["name"])}</span> '
            f'<span class="id">{_e(inst["id"])}</span> · {_e(tier)} · {_named(inst["region"])}</th></tr>')
    rows = []
    for m in inst["marks"]:
        label = (f'<span class="label">{_e(m["label"])}</span> <span class="id">{_e(m["labelCode"])}</span>'
                 f' <span class="cite">{_e(m["labelSource"])} {_e(m["labelClause"])}</span>'
                 if m["label"] else '<span class="none">—</span>')
        status = "" if m["status"] == "valid" else f' <span class="status {m["status"]}">{STATUS[m["status"]]}</span>'
        rows.append(
            f'<tr class="mark"><td>{_e(m["itemName"] or "")} <span class="id">{_e(m["item"])}</span></td>'
            f'<td>{label}</td><td>{_e(m["scopeName"] or m["scope"])} <span class="id">{_e(m["scope"])}</span></td>'
            f'<td>{_validity(m)}{status}</td></tr>'
        )
    return f'<tbody>{head}{"".join(rows)}</tbody>'


def _sections(institutions: Sequence[Mapping[str, Any]]) -> str:
    """Province headings, city headings under them, one table per city (or per province where the
    institution sits in no city: the municipalities' districts)."""
    out: list[str] = []
    province = city = object()
    table_open = False
    for inst in institutions:
        p = (inst["province"] or inst["region"])["code"]
        c = inst["city"]["code"] if inst["city"] else None
        if p != province or c != city:
            if table_open:
                out.append("</table>")
            if p != province:
                out.append(f'<h2 class="province">{_named(inst["province"] or inst["region"])}</h2>')
            if c is not None:
                out.append(f'<h3 class="city">{_named(inst["city"])}</h3>')
            out.append('<table class="list"><thead><tr><th scope="col">互认项目</th><th scope="col">互认标识</th>'
                       '<th scope="col">互认范围</th><th scope="col">有效期</th></tr></thead>')
            table_open = True
            province, city = p, c
        out.append(_institution_rows(inst))
    if table_open:
        out.append("</table>")
    return "".join(out)


def listing_html(listing: Listing, next_url: str | None, json_url: str) -> str:
    marks = sum(len(i["marks"]) for i in listing.institutions)
    where = f"{_e(listing.region.name)} {_e(listing.region.code)}" if listing.region else "全国"
    scope_note = "含已过期标识" if listing.expired else f"{listing.day.isoformat()} 仍有效或将生效的标识"
    if listing.institutions:
        body = _sections(listing.institutions)
    else:
        body = '<p class="empty">该地区暂无持有互认标识的机构。</p>'
    pager = []
    if next_url:
        pager.append(f'<a class="next" href="{_e(next_url)}">下一页 →</a>')
    if next_url and len(listing.institutions) < listing.limit:
        pager.insert(0, f'<span class="meta">本页检索了 {listing.scanned} 家机构，其中 {len(listing.institutions)} 家持有'
                        '有效标识；其后的机构见下一页。</span> ')
    truncated = (f'<p class="warn">该机构的标识超过 {MAX_MARKS} 条，本页只列出前 {MAX_MARKS} 条。</p>'
                 if listing.truncated else "")
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>检查检验结果互认机构及项目名单 · {where}</title>
<link rel="icon" href="{ASSETS}favicon.svg">
<link rel="stylesheet" href="{ASSETS}public.css">
</head>
<body>
<header>
<p class="nav"><a href="/">互认 hub</a> › 互认名单</p>
<h1>检查检验结果互认机构及项目名单</h1>
<p class="lead">持有互认标识的医疗机构及其互认项目，按省、市列出；每条标识注明标识名称、互认范围和有效期
（依据 000 六(四)、004 10.3 公布）。名单不含任何患者信息。</p>
<p class="meta">地区：<strong id="where">{where}</strong> · {scope_note} · 本页 <span id="count-inst">{len(listing.institutions)}</span> 家机构、<span id="count-marks">{marks}</span> 条标识
（每页最多 {listing.limit} 家）· 生成日期 {listing.day.isoformat()}</p>
</header>
<form class="controls" method="get" action="/public">
<label>地区 <select name="region" id="region">{_region_options(listing)}</select></label>
<label><input type="checkbox" name="expired" value="1"{" checked" if listing.expired else ""}> 包括已过期标识</label>
{f'<input type="hidden" name="on" value="{listing.day.isoformat()}">' if listing.day_asked else ""}<button type="submit">查看</button>
<span class="spacer"></span>
<label>在本页中查找 <input type="search" id="filter" placeholder="机构、项目、标识或编码" autocomplete="off"></label>
<span id="filter-count" class="filter-count" aria-live="polite"></span>
<button type="button" id="print">打印</button>
<a href="{_e(json_url)}">JSON</a>
</form>
<main id="list">
{truncated}{body}
</main>
<nav class="pager">{"".join(pager)}</nav>
<footer><p>数据来自互认 hub 的图数据库（机构、互认标识）；项目名称取自各文件的互认项目清单；地区名称为 GB/T 2260。
同一数据见 <a href="{_e(json_url)}">list.json</a>。</p></footer>
<script src="{ASSETS}public.js"></script>
</body>
</html>
"""


def _error_html(message: str) -> str:
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>互认名单 · 参数错误</title>
<link rel="stylesheet" href="{ASSETS}public.css"></head>
<body><header><p class="nav"><a href="/">互认 hub</a> › <a href="/public">互认名单</a></p>
<h1>参数错误</h1></header><p class="warn">{_e(message)}</p></body></html>
"""


# --------------------------------------------------------------------------------------------- routes


TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


@cache
def _asset(name: str) -> tuple[bytes, bytes, str, str] | None:
    path = ASSETS_DIR / name
    if "/" in name or name.startswith(".") or path.suffix not in TYPES or not path.is_file():
        return None
    raw = path.read_bytes()
    return raw, gzip.compress(raw, 6, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:32] + '"', TYPES[path.suffix]


async def asset(request: Request) -> Response:
    found = _asset(request.path_params["name"])
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    raw, gz, etag, media_type = found
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(gz, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(raw, media_type=media_type, headers=headers)


def routes(holder: Mapping[str, Any]) -> list[Route]:
    """``/public``, ``/public/list.json`` and the page's own files, over the runtime in ``holder``."""
    listing = PublicList(holder)

    async def page(request: Request) -> Response:
        try:
            result = await listing.page(request.query_params, PAGE_HTML)
        except BadQuery as e:
            return HTMLResponse(_error_html(str(e)), status_code=400, headers=HEADERS)
        json_params = {k: v for k, v in request.query_params.items() if k in ("region", "expired", "on", "after")}
        json_url = "/public/list.json" + (f"?{urlencode(json_params)}" if json_params else "")
        return HTMLResponse(listing_html(result, _next_query(request, result), json_url), headers=HEADERS)

    async def as_json(request: Request) -> Response:
        try:
            result = await listing.page(request.query_params, PAGE_JSON)
        except BadQuery as e:
            return Response(orjson.dumps({"error": str(e)}), status_code=400, media_type="application/json")
        body = listing_json(result, _next_query(request, result))
        return Response(orjson.dumps(body), media_type="application/json",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    return [
        Route("/public", page, methods=["GET", "HEAD"]),
        Route("/public/list.json", as_json, methods=["GET", "HEAD"]),
        Route("/public/assets/{name}", asset, methods=["GET", "HEAD"]),
    ]
