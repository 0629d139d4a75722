"""``hub load``: validate dataset files and upsert them, directly or through a running ``hub serve``.

LadybugDB lets one process hold a store read-write.  When ``hub serve`` holds the embedded store, it
announces itself in a small file beside the store (URL + a random token, readable by its user only);
``hub load`` then hands the files to that server, whose single writer loads them — the contract's
"loads through the running server".  With no announcement it refuses with the holder's pid and command.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.domain.dataset import DatasetError, Known, parse_dataset
from graph.loading import load_dataset
from graph.seeding import ensure_seeded
from graph.store import GraphStore, StoreLocked, is_neo4j_target, open_store
from hub.config import Settings
from graph.items import Items

if TYPE_CHECKING:
    from hub.runtime import Runtime

Progress = Callable[[str, int, int], None]


class LoadRefused(Exception):
    """One or more files were refused (the message says which and why); valid files were loaded."""


def announce_file(graph: str) -> Path:
    return Path(f"{graph}.serve.json")


@contextlib.contextmanager
def announce_server(settings: Settings, runtime: "Runtime") -> Iterator[None]:
    """While serving an embedded store, tell ``hub load`` where to send files."""
    if is_neo4j_target(settings.graph):
        yield
        return
    token = secrets.token_urlsafe(24)
    runtime.load_token = token  # type: ignore[attr-defined]
    with announce(settings, token, settings.port):
        yield


@contextlib.contextmanager
def announce(settings: Settings, token: str | None, port: int) -> Iterator[None]:
    """The announcement itself (this process's pid, the URL on ``port``, the token ``/admin/load``
    accepts); nothing for a Neo4j graph or without a token.  ``hub serve --workers N`` announces the
    supervisor, which holds the store; any worker takes the files."""
    if is_neo4j_target(settings.graph) or token is None:
        yield
        return
    path = announce_file(settings.graph)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host.strip('[]')}]"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"pid": os.getpid(), "url": f"http://{host}:{port}", "token": token}, f)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


async def _known(store: GraphStore, loop: asyncio.AbstractEventLoop, items: Items) -> Known:
    """What a dataset is checked against: the regions the store holds (its seeds' divisions, zones and
    nation — a mark's scope must be a Region node to be VALID_IN), the item index, and the store's
    institutions."""

    def institution_exists(ids: Any) -> set[str]:
        ids = sorted(set(ids))
        if not ids:
            return set()
        future = asyncio.run_coroutine_threadsafe(store.read("q.institution", {"ids": ids}), loop)
        return {r["id"] for r in future.result()}

    levels = {r["code"]: r["level"] for r in await store.read("regions.edges")}
    zones = sorted(c for c, level in levels.items() if level == "zone")
    return Known(
        regions=frozenset(levels),
        resolve_item=items.resolve,
        institution_exists=institution_exists,
        zones=(*zones, *sorted(c for c, level in levels.items() if level == "nation")),
    )


async def load_into(
    store: GraphStore, files: Sequence[Path], progress: Progress | None = None, items: Items | None = None
) -> list[str]:
    """Validate and load each file into an open store; returns one summary line per loaded file and
    raises :class:`LoadRefused` after loading the valid ones if any file was refused.  ``items``: the
    item index marks are checked against (the default seeds' when not given)."""
    loop = asyncio.get_running_loop()
    known = await _known(store, loop, items or Items.from_seeds())
    lines: list[str] = []
    refused: list[str] = []
    for path in files:
        try:
            dataset = await asyncio.to_thread(parse_dataset, Path(path), known)
        except DatasetError as e:
            refused.append(f"{e}\n  nothing of {path} was written")
            continue
        stats = await load_dataset(
            store, dataset, (lambda done, total, name=str(path): progress(name, done, total)) if progress else None
        )
        lines.append(str(stats))
    if refused:
        raise LoadRefused("\n".join([*lines, *refused]) if lines else "\n".join(refused))
    return lines


async def _through_server(settings: Settings, files: Sequence[Path], locked: StoreLocked) -> list[str]:
    import aiohttp

    path = announce_file(settings.graph)
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        raise LoadRefused(str(locked)) from None
    body = {"files": [str(Path(f).resolve()) for f in files]}
    # the announce file's token proves this user can read the server's files; a server with authentication
    # on wants an admin's JWT as well (HUB_TOKEN), as any other caller of /admin/load
    headers = {"X-Hub-Load-Token": info["token"]}
    if os.environ.get("HUB_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['HUB_TOKEN']}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3600)) as session:
            async with session.post(
                f"{info['url']}/admin/load", json=body, headers=headers
            ) as resp:
                status, text = resp.status, await resp.text()
    except aiohttp.ClientError as e:
        raise LoadRefused(f"{locked}\n(the running server at {info.get('url')} did not answer: {e})") from None
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise LoadRefused(f"the running server at {info.get('url')} answered HTTP {status} without a load report: "
                          f"{text[:200]!r}; its log says why (a load is an upsert: retrying is safe)")
    if not answer.get("ok"):
        raise LoadRefused("\n".join([*answer.get("loaded", []), answer.get("error", "refused")]))
    return [f"(through hub serve pid {info.get('pid')}) {line}" for line in answer["loaded"]]


async def load_files(settings: Settings, files: Sequence[Path], progress: Progress | None = None) -> list[str]:
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        raise LoadRefused(f"no such file: {', '.join(missing)}; nothing was written")
    items = Items.from_seeds(settings.seeds)
    try:
        store = await open_store(settings.graph, seed=False)
    except StoreLocked as locked:
        return await _through_server(settings, files, locked)
    try:
        await ensure_seeded(store, items, settings.seeds)
        return await load_into(store, files, progress, items)
    finally:
        await store.close()
