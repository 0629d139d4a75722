"""The ``hub`` command: load datasets, serve GraphQL, report on the seeds.

Errors a person can act on (a bad dataset, a store held by another process) print one clear message and
exit non-zero; they never print a stack trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hub.cli_audit import audit_app
from hub.cli_crosswalk import crosswalk_app
from hub.cli_report import report_app
from hub.config import SERVE_SETTINGS, Settings, cli_parameters

app = typer.Typer(help="互认 hub: is this prior study recognizable here?", no_args_is_help=True, add_completion=False)
seeds_app = typer.Typer(help="The seed data extracted from the five documents.", no_args_is_help=True)
app.add_typer(seeds_app, name="seeds")
policy_app = typer.Typer(help="The policy files (seeds/policies/*.yaml): rules as data, with clauses.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(crosswalk_app, name="crosswalk")
app.add_typer(audit_app, name="audit")
app.add_typer(report_app, name="report")
err = Console(stderr=True)
out = Console()

GraphOpt = cli_parameters(["graph"])[0].annotation  # the same --graph as `hub serve`, from the table
SeedsOpt = cli_parameters(["seeds"])[0].annotation  # the same --seeds as `hub serve`


def seed_errors() -> tuple[type[Exception], ...]:
    """A seeds file the hub cannot use (policy, catalog, zones): refused naming file and key, no traceback."""
    from hub.domain.catalog_file import CatalogFileError
    from hub.domain.policy import PolicyFileError
    from hub.domain.regions import ZonesFileError

    return (PolicyFileError, CatalogFileError, ZonesFileError)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"hub {version('huren-hub')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the hub's version and exit.")] = False) -> None:
    """互认 hub: is this prior study recognizable here?"""


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)



@contextlib.contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr with one line per name the service reports (``progress(name, done, total)``),
    gone when the work is done: what ``hub load`` and ``hub export`` show while they work."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        yield progress

@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="Dataset files (JSON or YAML).", exists=False)],
    graph: GraphOpt = None,
    seeds: SeedsOpt = None,
) -> None:
    """Upsert datasets. Idempotent; each file is validated whole and written all or nothing."""
    from graph.store import StoreError
    from hub.services.loading import LoadRefused, load_files

    try:
        settings = Settings.from_options(graph=graph, seeds=seeds)
    except ValueError as e:
        fail(str(e))
    with progress_bar() as progress:
        try:
            results = asyncio.run(load_files(settings, files, progress))
        except (LoadRefused, StoreError, *seed_errors()) as e:  # StoreError: the store cannot be opened or created there
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


def serve(**options: Any) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and liveness at /healthz."""
    import uvicorn

    from connectors.platforms import PlatformFileError
    from graph.store import StoreError
    from hub.web.app import create_app
    from hub.web.limits import TrustedDocuments, TrustedDocumentsError
    from hub.runtime import Runtime

    try:
        settings = Settings.from_options(**options)
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
    base = f"http://{f'[{settings.host}]' if ':' in settings.host else settings.host}:{settings.port}"
    err.print((f"GraphiQL {base}/graphql · " if settings.graphiql_enabled else "") + f"public list {base}/public · "
              f"start page {base}/", highlight=False, soft_wrap=True)

    if settings.workers > 1:
        raise typer.Exit(_serve_workers(settings))

    async def main() -> None:
        try:
            runtime = await Runtime.start(settings)
        except (StoreError, PlatformFileError, *seed_errors()) as e:
            fail(str(e))
        try:
            config = uvicorn.Config(
                create_app(settings, runtime), host=settings.host, port=settings.port,
                log_level="info", lifespan="on", access_log=False,
            )
            server = uvicorn.Server(config)
            from hub.services.loading import announce_server

            with announce_server(settings, runtime):
                await server.serve()
        finally:
            await runtime.close()

    # uvicorn's own loop choice (uvloop) is bypassed when we drive Server.serve() ourselves: pick it here
    # (the stdlib loop costs CPU on every request; figures in docs/BENCHMARKS.md, "HTTP").
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:  # uvicorn[standard] brings uvloop; stay correct without it
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main())


def _serve_workers(settings: Settings) -> int:
    """``hub serve --workers N`` (N > 1): a supervisor and N worker processes (hub.web.workers); the same
    refusals as one process, before any worker starts."""
    from connectors.platforms import PlatformFileError
    from graph.store import StoreError
    from hub.services.audit import AuditLogError
    from hub.services.loading import announce
    from hub.web.workers import supervise

    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(supervise(settings, announce))
    except (StoreError, PlatformFileError, AuditLogError, OSError, *seed_errors()) as e:
        fail(str(e))
    return 1


# the flags come from the settings table (hub.config), so flag, variable and help are spelled once
serve.__signature__ = inspect.Signature(cli_parameters(SERVE_SETTINGS))  # type: ignore[attr-defined]
app.command()(serve)


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


@app.command("export")
def export_cmd(
    to: Annotated[str, typer.Option(
        "--to", help="Where to: a Neo4j URL (bolt://, neo4j://, neo4j+s:// …; NEO4J_USER / NEO4J_PASSWORD / "
                     "NEO4J_DATABASE), a directory for nodes.csv + edges.csv, or a FILE.graphml.")],
    graph: GraphOpt = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", help="neo4j | csv | graphml (default: what --to implies).")] = None,
) -> None:
    """Export the graph: every node and relationship to a Neo4j server (idempotent: only what differs is
    written), or to CSV / GraphML files for pandas, networkx, Gephi.  The source (--graph) is only read: an
    embedded store is read from a snapshot, even while `hub serve` holds it."""
    from graph.store import StoreError
    from hub.services.export import ExportRefused, export_graph

    try:
        settings = Settings.from_options(graph=graph)
    except ValueError as e:
        fail(str(e))
    with progress_bar() as progress:
        try:
            result = asyncio.run(export_graph(settings.graph, to, fmt, progress))
        except (ExportRefused, StoreError, ValueError, OSError) as e:
            fail(str(e))
    if result.copy is not None:
        for kind, s in result.copy.kinds.items():
            out.print(f"{kind}: {s.created} created, {s.updated} updated, {s.unchanged} unchanged", highlight=False)
    for path in result.files:
        out.print(f"wrote {path}", highlight=False, soft_wrap=True)
    names = result.expected
    width = max(len(n) for n in names)
    out.print(f"{'':{width}}  {'source':>10}  {'exported':>10}", highlight=False)
    for name in names:
        mark = "  <- short" if name in result.short else ""
        out.print(f"{name:{width}}  {result.source_counts.get(name, 0):>10}  {result.target_counts.get(name, 0):>10}"
                  f"{mark}", highlight=False)
    out.print(f"{result.source} -> {result.to} ({result.format}, {result.seconds:.1f} s)", highlight=False,
              soft_wrap=True)
    if result.short:
        fail("the export holds fewer of " + ", ".join(result.short) + " than the source (was the source written "
             "to during the export? run it again)")


@app.command("cypher")
def cypher_cmd(
    query: Annotated[Optional[str], typer.Argument(
        help="Statement(s) to run, separated by ';'.  Without it: an interactive shell on a terminal, "
             "else the statements read from standard input.")] = None,
    graph: GraphOpt = None,
    param: Annotated[list[str], typer.Option(
        "--param", "-p", help="A $parameter as name=value (JSON when it parses: 5, [1,2], '\"130000\"'; else "
                              "a string).  Repeatable.")] = [],  # noqa: B006 (typer reads the default)
    fmt: Annotated[str, typer.Option("--format", help="table | csv | json (one JSON object per row).")] = "table",
    max_rows: Annotated[int, typer.Option(
        "--max-rows", help="Table rows shown per statement (0: all); csv and json print every row.")] = 1000,
) -> None:
    """Read-only Cypher on the graph: the embedded store (a fresh snapshot per statement, also while
    `hub serve` holds it) or Neo4j (read transactions).  Writes (CREATE, MERGE, SET, DELETE, REMOVE, DROP,
    COPY, LOAD …) are refused; nothing runs.  docs/ANALYSTS.md has worked questions."""
    from hub.services.cypher import CypherShell, ReadOnlyRefused, StoreError, parse_params, split_statements

    if fmt not in ("table", "csv", "json"):
        fail(f"--format {fmt!r}: choose table, csv or json")
    try:
        settings = Settings.from_options(graph=graph)
        params = parse_params(param)
    except ValueError as e:
        fail(str(e))
    interactive = query is None and sys.stdin.isatty()
    text = query if query is not None else (None if interactive else sys.stdin.read())

    async def main() -> int:
        try:
            shell = await CypherShell.open(settings.graph)
        except StoreError as e:
            fail(str(e))
        try:
            if not interactive:
                try:
                    answers = await shell.run_all(text or "", params)
                except (ReadOnlyRefused, StoreError) as e:
                    fail(str(e))
                for answer in answers:
                    _print_answer(answer, fmt, max_rows, quiet=len(answers) == 1 and fmt != "table")
                return 0
            return await _repl(shell, params, fmt, max_rows)
        finally:
            await shell.close()

    raise typer.Exit(asyncio.run(main()))


def _print_answer(answer: Any, fmt: str, max_rows: int, *, quiet: bool = False) -> None:
    import csv as csv_module

    from hub.services.cypher import cell

    if fmt == "json":
        for row in answer.rows:
            sys.stdout.write(json.dumps(dict(zip(answer.columns, row)), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    if fmt == "csv":
        writer = csv_module.writer(sys.stdout)
        writer.writerow(answer.columns)
        writer.writerows([["" if v is None else cell(v) for v in row] for row in answer.rows])
        sys.stdout.flush()
        return
    from rich.table import Table

    shown = answer.rows if max_rows <= 0 else answer.rows[:max_rows]
    table = Table(*answer.columns, show_lines=False, highlight=False)
    for row in shown:
        table.add_row(*(escape(cell(v)) for v in row))
    out.print(table)
    more = f", {len(answer.rows) - len(shown)} not shown (--max-rows)" if len(shown) < len(answer.rows) else ""
    if not quiet:
        err.print(f"{len(answer.rows)} row{'s' if len(answer.rows) != 1 else ''}{more} ({answer.ms:.1f} ms)",
                  highlight=False, style="dim")


REPL_HELP = """Type Cypher and end it with ';' (a statement may span lines).  Read-only: MATCH … RETURN, WITH,
UNWIND, CALL of read-only procedures; writes are refused.  $parameters come from --param.
  :schema   labels and relationship types with their counts
  :help     this text
  :quit     leave (also Ctrl-D)"""


async def _repl(shell: Any, params: dict[str, Any], fmt: str, max_rows: int) -> int:
    from hub.services.cypher import ReadOnlyRefused, StoreError

    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    engine = "LadybugDB, a fresh snapshot per statement" if shell.backend == "ladybug" else "Neo4j, read transactions"
    err.print(f"hub cypher — {shell.target} ({engine}); read-only.  :help for help, :quit to leave.",
              highlight=False, soft_wrap=True)
    buffer: list[str] = []
    while True:
        try:
            line = input("cypher> " if not buffer else "   ...> ")
        except EOFError:
            err.print()
            return 0
        except KeyboardInterrupt:
            err.print()
            buffer.clear()
            continue
        stripped = line.strip()
        if not buffer and stripped.startswith(":"):
            command = stripped.split()[0].lower()
            if command in (":quit", ":exit", ":q"):
                return 0
            if command == ":help":
                err.print(REPL_HELP, highlight=False)
            elif command == ":schema":
                text = ("MATCH (n) RETURN label(n) AS label, count(*) AS nodes ORDER BY label"
                        if shell.backend == "ladybug" else
                        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS nodes ORDER BY label")
                rels = ("MATCH ()-[r]->() RETURN label(r) AS type, count(*) AS relationships ORDER BY type"
                        if shell.backend == "ladybug" else
                        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS relationships ORDER BY type")
                for statement in (text, rels):
                    _print_answer(await shell.run(statement), "table", 0)
            else:
                err.print(f"unknown command {command}; :help lists them", highlight=False)
            continue
        buffer.append(line)
        joined = "\n".join(buffer)
        if not joined.rstrip().endswith(";"):
            if not joined.strip():
                buffer.clear()
            continue
        buffer.clear()
        try:
            for answer in await shell.run_all(joined, params):
                _print_answer(answer, fmt, max_rows)
        except (ReadOnlyRefused, StoreError) as e:
            err.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        except KeyboardInterrupt:
            err.print("interrupted")


@seeds_app.command("report")
def seeds_report(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every catalog's counts and every flaw of the source text, with how it was handled."""
    from hub.services.seeds_report import report

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
