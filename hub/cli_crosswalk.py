"""``hub crosswalk …``: rebuild and check the committed crosswalk (seeds/crosswalk/equivalences.yaml).

The equivalences are generated from the catalogs and the vocabulary, then reviewed and committed; these
commands are how a person editing either keeps the file honest.  A separate module so ``hub.cli`` only
registers it (``app.add_typer``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from hub.domain.seeds import DEFAULT_SEEDS_DIR

crosswalk_app = typer.Typer(
    help="The catalog crosswalk (seeds/crosswalk/): the same exam in every catalog.", no_args_is_help=True
)
err = Console(stderr=True)
out = Console()

SeedsOpt = Annotated[
    Path, typer.Option("--seeds", help="Seeds directory (catalogs/ and crosswalk/ inside).", file_okay=False)
]


@crosswalk_app.command("build")
def build(
    seeds: SeedsOpt = DEFAULT_SEEDS_DIR,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="File to write (default: crosswalk/equivalences.yaml of the seeds directory).")] = None,
) -> None:
    """Rewrite the equivalences file from the catalogs (seeds/catalogs/*.yaml) and the vocabulary."""
    from hub.crosswalk.artifact import write

    path, cw = write(seeds, output)
    s = cw.summary()
    out.print(f"wrote {path}: {s['classes']} classes, {s['pairs']} pairs", highlight=False, soft_wrap=True)
    for cat, v in s["per_catalog"].items():
        out.print(f"  {cat:7} {v['matched']:4}/{v['items']:<4} matched  ({v['covered_only']} more covered by a group item)",
                  highlight=False)


@crosswalk_app.command("check")
def check(
    seeds: SeedsOpt = DEFAULT_SEEDS_DIR,
    file: Annotated[Optional[Path], typer.Option(
        "--file", help="File to check (default: crosswalk/equivalences.yaml of the seeds directory).")] = None,
) -> None:
    """Exit 1, naming what differs, when the equivalences file is not what the code builds."""
    from hub.crosswalk.artifact import check as check_artifact
    from hub.domain.seeds import equivalences_file

    path = file or equivalences_file(seeds)
    diff = check_artifact(seeds, path)
    if diff:
        out.print(escape("\n".join(diff[:200])), highlight=False, soft_wrap=True)
        err.print(f"[bold red]error:[/] {escape(str(path))} is out of date: run `hub crosswalk build`", highlight=False)
        raise typer.Exit(1)
    out.print(f"{path} is up to date", highlight=False, soft_wrap=True)


@crosswalk_app.command("normalise")
def normalise(
    modality: Annotated[str, typer.Argument(help="DR | MG | CT | MR | RF")],
    names: Annotated[list[str], typer.Argument(help="Item names as a catalog prints them.")],
    seeds: SeedsOpt = DEFAULT_SEEDS_DIR,
) -> None:
    """Show how names are read with the vocabulary (no catalog needed)."""
    from hub.crosswalk.features import normalise as read_name
    from hub.crosswalk.vocabulary import read_vocabulary

    voc = read_vocabulary(seeds)
    for name in names:
        f = read_name({"name": name, "modality": modality}, voc)
        out.print(f"{name}\t{f.label()}\t{'complete' if f.complete else '; '.join(f.problems)}", highlight=False)


@crosswalk_app.command("summary")
def summary(seeds: SeedsOpt = DEFAULT_SEEDS_DIR) -> None:
    """Matched counts per catalog, from a fresh build."""
    import yaml

    from hub.crosswalk.artifact import build_from_seeds

    out.print(yaml.safe_dump(build_from_seeds(seeds).summary(), allow_unicode=True, sort_keys=False), highlight=False)
