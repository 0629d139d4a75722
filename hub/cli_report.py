"""``hub report …``: the authority's reports, made from the store (issue 17).

``hub report monthly`` writes 002 四(四)'s monthly report — the four rates of 000 一(一), their counts and what
the hub knows of 004 7.1's data quality — for one institution or every institution of a region or zone, as
CSV and XLSX (hub/services/reports.py builds it, hub/services/report_files.py writes it).  The store is opened
read-only (graph/readonly.py), so a report can be made while ``hub serve`` holds the embedded store, and from
one snapshot of it.  A separate module so ``hub.cli`` only registers it (``app.add_typer``).

Every refusal names the option to fix, exits 2 (a usage error, as click's own) and writes no file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape

from hub.config import Settings, cli_parameters

report_app = typer.Typer(help="Reports for the health commission (002 四(四), 000 一(一)).", no_args_is_help=True)
err = Console(stderr=True)
out = Console()

GraphOpt = cli_parameters(["graph"])[0].annotation  # the same --graph as `hub serve`, from the settings table
SeedsOpt = cli_parameters(["seeds"])[0].annotation  # the same --seeds: the policies' upload rules are cited

#: a usage error, as click exits for one
USAGE = 2


def _refuse(option: str, message: str, code: int = USAGE) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(option)}: {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@report_app.command("monthly")
def monthly(
    month: Annotated[str, typer.Option("--month", help="The month reported, YYYY-MM (reminders first issued "
                                                       "from its first day to its last).")],
    institution: Annotated[Optional[str], typer.Option(
        "--institution", help="One institution (its id): one row.")] = None,
    region: Annotated[Optional[str], typer.Option(
        "--region", help="A GB/T 2260 code or a zone code (JJJ, CY, CN): a row per institution located there, "
                         "and the total.")] = None,
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Directory to write report-<scope>-<YYYY-MM>.csv and .xlsx into (created if missing).",
        file_okay=False)] = Path("."),
    lang: Annotated[str, typer.Option("--lang", help="Language of headers and notes: zh (default) or en.")] = "zh",
    graph: GraphOpt = None,
    seeds: SeedsOpt = None,
) -> None:
    """The monthly report (002 四(四)): the four rates of 000 一(一) with their counts and 004 7.1's data
    quality where the hub has a source for it ("平台未提供" where it has none), as CSV (UTF-8 with BOM) and
    XLSX.  Give --institution ID or --region CODE (exactly one) and --month YYYY-MM; prints the files' paths."""
    from graph.facts import region_index
    from graph.readonly import open_read_only
    from graph.store import StoreError
    from hub.domain.monthly_report import Month, check_language
    from hub.domain.policy import PolicyFileError, load_policies
    from hub.domain.seeds import policies_dir
    from hub.domain.upload_rules import UploadRules
    from hub.services.recognition_metrics import MetricsScopeError
    from hub.services.report_files import write_report
    from hub.services.reports import MonthlyReport, monthly_report

    if (institution is None) == (region is None):
        _refuse("--institution / --region", "give exactly one: --institution ID (one institution) or --region "
                                            "CODE (every institution of a region or zone)")
    try:
        period = Month.parse(month)
    except ValueError as e:
        _refuse("--month", str(e))
    try:
        language = check_language(lang)
    except ValueError as e:
        _refuse("--lang", str(e))
    try:
        settings = Settings.from_options(graph=graph, seeds=seeds)
    except ValueError as e:
        _refuse("--graph / --seeds", str(e))
    try:
        rules = UploadRules.of(load_policies(policies_dir(settings.seeds)).values())
    except PolicyFileError as e:
        _refuse("--seeds", str(e), code=1)

    async def build() -> MonthlyReport:
        store = await open_read_only(settings.graph)
        try:
            regions = await region_index(store)  # type: ignore[arg-type]
            return await monthly_report(store, regions, period, upload_rules=rules, institution=institution,
                                        region=region)
        finally:
            await store.close()

    try:
        report = asyncio.run(build())
    except MetricsScopeError as e:
        _refuse(f"--{e.argument}", e.text(language))
    except StoreError as e:
        _refuse("--graph", str(e), code=1)
    try:
        paths = write_report(report, out_dir, language)
    except OSError as e:
        _refuse("--out", f"cannot write into {out_dir}: {e.strerror or e}", code=1)
    for path in paths:
        out.print(str(path), highlight=False, soft_wrap=True)
