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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hub.cli_crosswalk import crosswalk_app
from hub.config import Settings

app = typer.Typer(help="互认 hub: is this prior study recognizable here?", no_args_is_help=True, add_completion=False)
seeds_app = typer.Typer(help="The seed data extracted from the five documents.", no_args_is_help=True)
app.add_typer(seeds_app, name="seeds")
policy_app = typer.Typer(help="The policy files (seeds/policies/*.yaml): rules as data, with clauses.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(crosswalk_app, name="crosswalk")
err = Console(stderr=True)
out = Console()

GraphOpt = Annotated[
    Optional[str],
    typer.Option("--graph", "-g", help="Embedded store path, or bolt:// / neo4j:// / neo4j+s:// URL (env HUB_GRAPH)."),
]


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="Dataset files (JSON or YAML).", exists=False)],
    graph: GraphOpt = None,
) -> None:
    """Upsert datasets. Idempotent; each file is validated whole and written all or nothing."""
    from graph.store import StoreError
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
        except (LoadRefused, StoreError) as e:  # StoreError: the store cannot be opened or created there
            fail(str(e))
    for line in results:
        out.print(line, highlight=False, soft_wrap=True)


@policy_app.command("check")
def policy_check(
    files: Annotated[list[Path], typer.Argument(help="Policy files (YAML) to check against the schema.")],
) -> None:
    """Check policy files: every key declared, none missing, values of the right kind (exit 1 naming file
    and key otherwise).  The schema is also published as seeds/policies/policy.schema.json for editors."""
    from hub.domain.policy import PolicyFileError, read_policy

    bad = 0
    for path in files:
        try:
            policy = read_policy(path)
        except PolicyFileError as e:
            bad += 1
            err.print(f"[bold red]refused:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        else:
            out.print(f"ok: {path} (policy {policy.id}, {len(policy.tier_rules)} tier rules, "
                      f"{len(policy.exclusions)} exclusions)", highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(1)


@app.command()
def serve(
    graph: GraphOpt = None,
    platforms: Annotated[Optional[str], typer.Option("--platforms", help="Regional platform file (env HUB_PLATFORMS).")] = None,
    host: Annotated[Optional[str], typer.Option("--host", help="Bind address (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port (default 8000).")] = None,
    mode: Annotated[Optional[str], typer.Option(
        "--mode", help="development (introspection + GraphiQL on) or production (both off unless enabled); "
        "default: development on a loopback address, production otherwise (env HUB_MODE).")] = None,
    introspection: Annotated[Optional[bool], typer.Option(
        "--introspection/--no-introspection", help="Override the mode's introspection (env HUB_INTROSPECTION).")] = None,
    graphiql: Annotated[Optional[bool], typer.Option(
        "--graphiql/--no-graphiql", help="Override the mode's GraphiQL page (env HUB_GRAPHIQL).")] = None,
    max_depth: Annotated[Optional[int], typer.Option("--max-depth", help="Deepest selection nesting (env HUB_MAX_DEPTH, default 10).")] = None,
    max_aliases: Annotated[Optional[int], typer.Option("--max-aliases", help="Aliases per document (env HUB_MAX_ALIASES, default 30).")] = None,
    max_fields: Annotated[Optional[int], typer.Option("--max-fields", help="Field selections per document, fragments inlined (env HUB_MAX_FIELDS, default 500).")] = None,
    max_page: Annotated[Optional[int], typer.Option("--max-page", help="Largest page of a browse list, `first` (env HUB_MAX_PAGE, default 500).")] = None,
    max_offset: Annotated[Optional[int], typer.Option("--max-offset", help="Largest `offset` of a browse list (env HUB_MAX_OFFSET, default 10000, at most 10000).")] = None,
    max_tokens: Annotated[Optional[int], typer.Option("--max-tokens", help="Tokens per document (env HUB_MAX_TOKENS, default 20000).")] = None,
    max_body_bytes: Annotated[Optional[int], typer.Option("--max-body-bytes", help="Request body bytes (env HUB_MAX_BODY_BYTES, default 1 MiB).")] = None,
    max_batch: Annotated[Optional[int], typer.Option("--max-batch", help="Studies per recognizabilities request (env HUB_MAX_BATCH, default 1000).")] = None,
    timeout: Annotated[Optional[float], typer.Option("--timeout", help="Seconds one operation may execute (env HUB_TIMEOUT_S, default 30).")] = None,
    trusted_documents: Annotated[Optional[str], typer.Option(
        "--trusted-documents", help="Persisted-documents JSON ({sha256: document}); only those run (env HUB_TRUSTED_DOCUMENTS).")] = None,
    cors_origin: Annotated[Optional[list[str]], typer.Option(
        "--cors-origin", help="Allow this browser origin (repeat; * for any) (env HUB_CORS_ORIGINS, comma-separated).")] = None,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and liveness at /healthz."""
    import uvicorn

    from connectors.platforms import PlatformFileError
    from graph.store import StoreError
    from hub.app import create_app
    from hub.limits import TrustedDocuments, TrustedDocumentsError
    from hub.runtime import Runtime

    try:
        settings = Settings.from_options(
            graph=graph, platforms=platforms, host=host, port=port, mode=mode, introspection=introspection,
            graphiql=graphiql, max_depth=max_depth, max_aliases=max_aliases, max_fields=max_fields,
            max_page=max_page, max_offset=max_offset, max_tokens=max_tokens,
            max_body_bytes=max_body_bytes, max_batch=max_batch, timeout_s=timeout,
            trusted_documents=trusted_documents, cors_origins=cors_origin or None,
        )
        if settings.trusted_documents:  # a bad file is refused before the store opens
            TrustedDocuments.load(settings.trusted_documents)
    except (ValueError, TrustedDocumentsError) as e:
        fail(str(e))
    err.print(
        f"{settings.effective_mode} mode: introspection {'on' if settings.introspection_enabled else 'off'}, "
        f"GraphiQL {'on' if settings.graphiql_enabled else 'off'}"
        + (f", trusted documents only ({settings.trusted_documents})" if settings.trusted_documents else ""),
        highlight=False,
    )

    async def main() -> None:
        try:
            runtime = await Runtime.start(settings)
        except (StoreError, PlatformFileError) as e:
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

    # uvicorn's own loop choice (uvloop) is bypassed when we drive Server.serve() ourselves: pick it here
    # (~100 µs CPU less per request than asyncio, FIELD-NOTES).
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:  # uvicorn[standard] brings uvloop; stay correct without it
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main())


@app.command()
def schema(
    output: Annotated[str, typer.Option("--output", "-o", help="File to write, or - for standard output.")] = "schema.graphql",
    check: Annotated[bool, typer.Option("--check", help="Do not write; exit 1 when the file differs from the schema.")] = False,
) -> None:
    """Export the GraphQL schema (SDL with Apollo Federation directives) — the repository keeps it as schema.graphql."""
    from resolvers.schema import sdl

    text = sdl()
    if output == "-":
        sys.stdout.write(text)
        return
    path = Path(output)
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            fail(f"{path} differs from the running schema; regenerate it with `hub schema -o {path}`")
        out.print(f"{path} matches the schema", highlight=False)
        return
    path.write_text(text, encoding="utf-8")
    out.print(f"wrote {path} ({len(text.splitlines())} lines)", highlight=False)


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
