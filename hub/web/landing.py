"""``GET /``: what this server is and where its doors are — GraphiQL (when on), the public list, liveness,
metrics — and where the documentation lives (in the checkout; the hub serves none of it but the schema's
own, through GraphiQL's documentation explorer).  Open without a token like /public; it holds no data.
"""

from __future__ import annotations

import html
import importlib.metadata
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from hub.config import Settings
from hub.web.public import ASSETS, HEADERS


def version() -> str | None:
    """The installed distribution's version (``hub --version`` prints the same)."""
    try:
        return importlib.metadata.version("huren-hub")
    except importlib.metadata.PackageNotFoundError:
        return None


def page(settings: Settings, version: str | None = None) -> str:
    auth = settings.auth_jwks is not None
    if settings.graphiql_enabled:
        graphiql = ('<li><a href="/graphql"><strong>GraphiQL</strong></a> <code>/graphql</code> — 在浏览器中提问（示例已预置）；'
                    + ("需要令牌：在页面的 Headers 中填入 <code>Authorization: Bearer …</code>。" if auth else "")
                    + ' Ask the hub in the browser (examples preloaded).</li>')
    else:
        graphiql = (f'<li><code>POST /graphql</code> — GraphQL 接口（{html.escape(settings.effective_mode)} 模式下'
                    'GraphiQL 未启用：<code>hub serve --graphiql</code> / <code>HUB_GRAPHIQL</code>）'
                    + ("；需要 <code>Authorization: Bearer</code> 令牌" if auth else "") + '.</li>')
    version_line = f' · 版本 <code>{html.escape(version)}</code>' if version else ""
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>互认 hub</title>
<link rel="icon" href="{ASSETS}favicon.svg">
<link rel="stylesheet" href="{ASSETS}public.css">
</head>
<body>
<header>
<h1>互认 hub</h1>
<p class="lead">检查检验结果互认查询服务：一项既往检查（机构、项目、日期）在此机构是否应予互认？
答案附有判定依据——各省互认文件的条款。机构、医联体/医共体、行政区划与京津冀/川渝区域、互认项目清单和互认标识构成一张图，
由 GraphQL 查询。</p>
<p class="lead">A GraphQL hub that answers whether a prior imaging study or lab result is recognizable here
(检查检验结果互认), citing the clause of the provincial document behind every step.</p>
<p class="meta">{html.escape(settings.effective_mode)} 模式 · 身份认证{"已开启" if auth else "未开启（仅本机）"}{version_line}</p>
</header>
<main>
<h2>入口 · Endpoints</h2>
<ul class="links">
{graphiql}
<li><a href="/public"><strong>互认机构及项目名单</strong></a> <code>/public</code> — 持有互认标识的机构与项目，按省市列出，可查找、可打印；
同一名单的 JSON：<a href="/public/list.json"><code>/public/list.json</code></a>。无需令牌。 The public list.</li>
<li><a href="/healthz"><code>/healthz</code></a> — 存活检查（liveness）。</li>
<li><a href="/metrics"><code>/metrics</code></a> — Prometheus 指标（互认结论、拒绝的查询、GraphQL 延迟、区域平台）。</li>
</ul>
<h2>文档 · Documentation</h2>
<ul class="links">
<li>接口契约 <code>../shared/CONTRACT.md</code>；GraphQL 模式 <code>docs/schema.graphql</code>（<code>hub schema</code> 生成），
其说明也可在 GraphiQL 的文档面板中浏览。</li>
<li>部署与使用 <code>README.md</code>；设计与分层 <code>docs/DESIGN.md</code>；对文件的解释 <code>docs/INTERPRETATIONS.md</code>；
Neo4j <code>docs/NEO4J.md</code>；性能 <code>docs/BENCHMARKS.md</code>；监控面板与告警 <code>deploy/</code>
（Grafana、Prometheus）— 均在 hub 的源代码目录中，本服务不提供这些文件。</li>
<li>The documents live in the hub's checkout (README.md, docs/, deploy/) and in ../shared/CONTRACT.md; this
server does not serve them.</li>
</ul>
</main>
</body>
</html>
"""


def route(settings: Settings) -> Any:
    from starlette.routing import Route

    body = page(settings, version())

    async def landing(request: Request) -> HTMLResponse:
        return HTMLResponse(body, headers=HEADERS)

    return Route("/", landing, methods=["GET", "HEAD"])
