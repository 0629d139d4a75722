"""``hub audit …``: the audit log of patient-data access (docs/AUDIT.md).

A separate module so ``hub.cli`` only registers it (``app.add_typer``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

audit_app = typer.Typer(help="The audit log of patient-data access (docs/AUDIT.md).", no_args_is_help=True)
err = Console(stderr=True)
out = Console()


@audit_app.command("verify")
def verify(
    path: Annotated[Path, typer.Argument(help="The audit log (JSON lines), e.g. the file --audit-log names.")],
) -> None:
    """Exit 0 when every line is intact and chained; else 1, naming the first bad line (2: unreadable)."""
    from hub.services.audit import verify as verify_file

    try:
        result = verify_file(path)
    except OSError as e:
        err.print(f"[bold red]error:[/] cannot read {escape(str(path))}: {escape(e.strerror or str(e))}",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if result.ok:
        out.print(f"{escape(str(path))}: {escape(result.reason)}; last hash {result.last_hash}",
                  highlight=False, soft_wrap=True)
        return
    err.print(f"[bold red]{escape(str(path))}: broken at line {result.line}[/] — {escape(result.reason)} "
              f"({result.events} events before it are intact)", highlight=False, soft_wrap=True)
    raise typer.Exit(1)
