"""The ``hub`` command: load datasets, serve GraphQL, report on the seeds.

Errors a person can act on (a bad dataset, a store held by another process) print one clear message and
exit non-zero; they never print a stack trace.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hub.config import Settings

app = typer.Typer(help="互认 hub: is this prior study recognizable here?", no_args_is_help=True, add_completion=False)
seeds_app = typer.Typer(help="The seed data extracted from the five documents.", no_args_is_help=True)
app.add_typer(seeds_app, name="seeds")
err = Console(stderr=True)
out = Console()

GraphOpt = Annotated[
    Optional[str],
    typer.Option("--graph", "-g", help="Embedded store path, or bolt:// / neo4j:// / neo4j+s:// URL (env HUB_GRAPH)."),
]


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="Dataset files (JSON or YAML).", exists=False)],
    graph: GraphOpt = None,
) -> None:
    """Upsert datasets. Idempotent; each file is validated whole and written all or nothing."""
    from hub.loader import LoadRefused, load_files

    settings = Settings.from_options(graph=graph)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        try:
            results = asyncio.run(load_files(settings, files, progress))
        except LoadRefused as e:
            fail(str(e))
    for line in results:
        out.print(line, highlight=False)


@app.command()
def serve(
    graph: GraphOpt = None,
    platforms: Annotated[Optional[str], typer.Option("--platforms", help="Regional platform file (env HUB_PLATFORMS).")] = None,
    host: Annotated[Optional[str], typer.Option("--host", help="Bind address (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port (default 8000).")] = None,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and liveness at /healthz."""
    import uvicorn

    from graph.store import StoreError
    from hub.app import create_app
    from hub.runtime import Runtime

    settings = Settings.from_options(graph=graph, platforms=platforms, host=host, port=port)

    async def main() -> None:
        try:
            runtime = await Runtime.start(settings)
        except StoreError as e:
            fail(str(e))
        try:
            config = uvicorn.Config(
                create_app(settings, runtime), host=settings.host, port=settings.port,
                log_level="info", lifespan="on", access_log=False,
            )
            server = uvicorn.Server(config)
            from hub.loader import announce_server

            with announce_server(settings, runtime):
                await server.serve()
        finally:
            await runtime.close()

    asyncio.run(main())


@seeds_app.command("report")
def seeds_report(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every catalog's counts and every flaw of the source text, with how it was handled."""
    from hub.seeds_report import report

    data = report()
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    for cat in data["catalogs"]:
        out.print(
            f"[bold]{cat['id']}[/] ({cat['source']} {cat['clause']}): {cat['items']} items written, "
            f"itemCount {cat['itemCount']}, announced {cat['announced']}",
            highlight=False,
        )
        for f in cat["flaws"]:
            out.print(f"  flaw [{f['kind']}] rows {f['rows']}: {f['handling']} — {f['detail']}", highlight=False)
        for x in cat["excluded"]:
            out.print(f"  excluded row {x.get('row')}: {x.get('reason')}", highlight=False)
    out.print(f"{data['totals']['flaws']} flaws, {data['totals']['excluded']} excluded rows", highlight=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
