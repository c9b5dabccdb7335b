"""Command line: thin wrappers over the pipeline, one-line errors, honest exit codes.

Exit codes: 0 success (also when arXiv announced nothing), 1 the run failed
(arXiv unreachable, error feed, unreadable archive page), 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .config import load_config
from .errors import GeneratorError
from .pipeline import Pipeline, RunReport
from .progress import Progress

log = logging.getLogger("generator")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description="arXiv daily archive generator")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default="config.yml", help="config file (default: config.yml)")
    common.add_argument("--docs", default="docs", help="archive folder (default: docs)")
    common.add_argument("-v", "--verbose", action="store_true", help="log every request and decision")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", parents=[common], help="archive today's announcements (the nightly job)")
    backfill = sub.add_parser("backfill", parents=[common], help="fill missed days from the arXiv API")
    backfill.add_argument("--since", type=_date, required=True, help="first day to fill, YYYY-MM-DD")
    backfill.add_argument("--until", type=_date, default=None, help="last day to fill (default: today)")
    return parser


def print_report(report: RunReport, console: Console) -> None:
    table = Table(title=f"{report.command}: run report", show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    days = [d for d in report.days if not d.kept_existing]
    kept = [d for d in report.days if d.kept_existing]
    table.add_row("days written", ", ".join(str(d.date) for d in days) or "none")
    if kept:
        table.add_row("days already archived", str(len(kept)))
    table.add_row("fetched", str(report.total("fetched")))
    table.add_row("matched", str(report.total("matched")))
    table.add_row("new", str(report.total("new")))
    table.add_row("updated (new versions)", str(report.total("updated")))
    table.add_row("skipped (already archived)", str(report.total("already_archived")))
    table.add_row("summarized", str(report.total("summarized")))
    for name, value in report.extra.items():
        table.add_row(name, str(value))
    table.add_row("pages written / unchanged", f"{report.pages_written} / {report.pages_unchanged}")
    table.add_row("arXiv requests", str(report.arxiv_requests))
    table.add_row("time", f"{report.seconds:.1f} s")
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def run(args: argparse.Namespace, console: Console) -> RunReport:
    config = load_config(args.config)
    progress = Progress(console)
    pipeline = Pipeline.create(config, Path(args.docs), args.command, progress)
    if args.command == "update":
        return pipeline.update()
    if args.command == "backfill":
        until = args.until or dt.date.today()
        if until < args.since:
            raise GeneratorError(f"--until {until} is before --since {args.since}", fix="swap the two dates")
        return pipeline.backfill(args.since, until)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(stderr=True, highlight=False)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    try:
        report = run(args, console)
    except GeneratorError as err:
        console.print(f"error: {err}", markup=False, soft_wrap=True)
        return err.exit_code
    except Exception as exc:  # a bug: still one line, the traceback only on request
        if args.verbose:
            console.print_exception()
        console.print(f"error: internal error: {type(exc).__name__}: {exc} (rerun with -v for the traceback)", markup=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        console.print("error: interrupted; pages already written are complete, the rest are unchanged", markup=False)
        return 130
    print_report(report, console)
    return 0
