"""Command line: thin wrappers over the pipeline, one-line errors, honest exit codes.

Exit codes: 0 success (also when arXiv announced nothing), 1 the run failed
(arXiv unreachable, error feed, unreadable archive page), 2 bad config or usage
(including `resummarize` without an API key). `doctor` exits 0 when it found no
error (warnings allowed) and 1 otherwise, a bad config included. Everything printed goes through
`redact`, so the LLM API key never reaches the terminal or a CI log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from generator.archive.records import FORMAT
from generator.arxiv.ids import is_arxiv_id
from generator.config import load_config
from generator.config.addresses import with_effective_addresses
from generator.errors import GeneratorError
from generator.night.pipeline import Pipeline
from generator.night.progress import Progress
from generator.night.report import RunReport
from generator.redaction import forget_all, redact

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
    redo = sub.add_parser(
        "resummarize",
        parents=[common],
        help="redo AI summaries made with another model, prompt or paper version (and fill missing ones)",
        description="Redo the AI summaries of archived days whose cache key (paper version, model, prompt) "
        "differs from the current one, and make the missing ones among each day's top papers. "
        "Safe to rerun: a second run finds nothing to do.",
    )
    redo.add_argument("--since", type=_date, default=None, help="first announcement day, YYYY-MM-DD (default: the first archived)")
    redo.add_argument("--until", type=_date, default=None, help="last announcement day, YYYY-MM-DD (default: the last archived)")
    redo.add_argument("--model", default=None, help="use this model instead of ai_summary.model")
    redo.add_argument(
        "--id", dest="ids", action="append", type=_base_id, default=[], metavar="ARXIV_ID", help="only this paper (repeatable)"
    )
    redo.add_argument("--force", action="store_true", help="redo even summaries that are up to date")
    redo.add_argument("--dry-run", action="store_true", help="list what would be redone; send and write nothing")
    upgrade = sub.add_parser(
        "migrate",
        help="upgrade the archive's pages to the current format (safe to rerun)",
        description="Upgrade every page of the archive to the current format, in place: lossless, atomic per page, "
        "and safe to rerun (a second run changes nothing).",
    )
    upgrade.add_argument("--docs", default="docs", help="archive folder (default: docs)")
    upgrade.add_argument("--dry-run", action="store_true", help="say what would be upgraded; write nothing")
    upgrade.add_argument("-v", "--verbose", action="store_true", help="show the traceback of an internal error")
    doctor = sub.add_parser(
        "doctor",
        parents=[common],
        help="check config, addresses, endpoints, the LLM key and the archive; one line per finding with its fix",
        description="Check that this archive is ready for its nightly run: config, site.url and User-Agent, the arXiv "
        "feed and API (one request each), the LLM endpoint, key and model (one one-token request), and every archived page. "
        "Exit 0 when there is no error (warnings allowed), 1 otherwise.",
    )
    doctor.add_argument("--offline", action="store_true", help="send no request (skip the endpoint and LLM checks)")
    sub.add_parser(
        "embed",
        parents=[common],
        help="embed every archived paper version the embedding cache lacks (config related.embeddings)",
        description="Fill docs/data/embeddings/ for the whole archive: each paper version missing from the cache "
        "is sent to the related.embeddings endpoint once and stored as one new shard. Safe to rerun.",
    )
    return parser


def _base_id(text: str) -> str:
    if not is_arxiv_id(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an arXiv id without version, e.g. 2609.26811")
    return text


def print_report(report: RunReport, console: Console) -> None:
    table = Table(title=f"{report.command}: run report", show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    days = [d for d in report.days if not d.kept_existing]
    kept = [d for d in report.days if d.kept_existing]
    if report.command == "embed":
        _print_extra_only(report, table, console)
        return
    table.add_row("days written", ", ".join(str(d.date) for d in days) or "none")
    if report.caught_up:
        table.add_row("days caught up from the API", ", ".join(str(d) for d in report.caught_up))
    if kept:
        table.add_row("days already archived", str(len(kept)))
    table.add_row("fetched", str(report.total("fetched")))
    table.add_row("matched", str(report.total("matched")))
    table.add_row("new", str(report.total("new")))
    table.add_row("updated (new versions)", str(report.total("updated")))
    table.add_row("skipped (already archived)", str(report.total("already_archived")))
    table.add_row("summarized", str(report.total("summarized")))
    if report.total("resummarized"):
        table.add_row("summaries redone on archived days", str(report.total("resummarized")))
    for name, value in report.extra.items():
        table.add_row(name, str(value))
    table.add_row("pages written / unchanged", f"{report.pages_written} / {report.pages_unchanged}")
    table.add_row("arXiv requests", str(report.arxiv_requests))
    table.add_row("time", f"{report.seconds:.1f} s")
    console.print(table)
    for note in report.notes:
        console.print(redact(note), markup=False, highlight=False, soft_wrap=True)
    for warning in report.warnings:  # one line each, whatever the terminal width (CI logs, grep)
        # escape: rich took the "[redacted]" mask (or any [word] from a feed) for a style tag and dropped it
        # (found with an embeddings endpoint echoing the key in a 401).
        console.print("[yellow]warning:[/yellow] ", escape(redact(warning)), sep="", highlight=False, soft_wrap=True)


def run_migrate(args: argparse.Namespace, console: Console) -> None:
    from generator.archive.migrate import migrate  # markdownify and BeautifulSoup load only for this command

    report = migrate(Path(args.docs), dry_run=args.dry_run)
    verb = "would be upgraded" if args.dry_run else "upgraded"
    kept = report.summaries_as_html
    console.print(
        f"migrate: {report.papers} paper pages and {report.days} day pages {verb} to format v{FORMAT}; "
        f"{report.current} already in format v{FORMAT}; {report.summaries + len(kept)} summaries: "
        f"{report.summaries} as Markdown, {len(kept)} kept as HTML",
        markup=False, highlight=False, soft_wrap=True,
    )  # fmt: skip
    if kept:
        console.print(
            f"note: {len(kept)} summaries have no exact Markdown form and are kept as their sanitized v1 HTML, "
            f"which the site shows as HTML (each checked to show all its text): {', '.join(kept)}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    if args.dry_run:
        console.print("dry run: nothing was written", markup=False)


def _print_extra_only(report: RunReport, table: Table, console: Console) -> None:
    for name, value in report.extra.items():
        table.add_row(name, str(value))
    console.print(table)
    for note in report.notes:
        console.print(redact(note), markup=False, highlight=False, soft_wrap=True)
    for warning in report.warnings:
        console.print("[yellow]warning:[/yellow] ", escape(redact(warning)), sep="", highlight=False, soft_wrap=True)


def run(args: argparse.Namespace, console: Console, sleep: Callable[[float], None] = time.sleep) -> RunReport:
    # In GitHub Actions, placeholders left in config.yml become the repository's own addresses.
    config, derived = with_effective_addresses(load_config(args.config))
    progress = Progress(console)
    if args.command == "embed":
        report = RunReport("embed")
        with progress.task("Embedding the archive's papers"):
            from generator.ranking.embeddings import embed_archive  # NumPy loads only for this command

            result = embed_archive(config, Path(args.docs), warn=report.warnings.append)
        report.extra.update(
            {
                "papers already cached": result.already_cached,
                "papers embedded": result.embedded,
                "not embedded": result.failed,
                "embedding requests": result.requests,
            }
        )
        if result.shard is not None:
            report.notes.append(f"new shard: {result.shard}")
        return report
    if args.command == "resummarize":
        if args.since and args.until and args.until < args.since:
            raise GeneratorError(f"--until {args.until} is before --since {args.since}", fix="swap the two dates")
        pipeline = Pipeline.create(config, Path(args.docs), args.command, progress, with_summaries=True, model=args.model, sleep=sleep)
        pipeline.report.notes.extend(derived)
        return pipeline.resummarize(args.since, args.until, ids=args.ids, force=args.force, dry_run=args.dry_run)
    pipeline = Pipeline.create(config, Path(args.docs), args.command, progress, with_summaries=True, sleep=sleep)
    pipeline.report.notes.extend(derived)
    if args.command == "update":
        return pipeline.update()
    if args.command == "backfill":
        until = args.until or dt.date.today()
        if until < args.since:
            raise GeneratorError(f"--until {until} is before --since {args.since}", fix="swap the two dates")
        return pipeline.backfill(args.since, until)
    raise AssertionError(args.command)


def run_doctor(args: argparse.Namespace) -> int:
    """Print one line per finding as it is made, then the verdict; 1 when there was an error."""
    from generator.config.addresses import ERROR
    from generator.night.doctor import diagnose, summary_line

    def show(finding) -> None:
        # print, not rich: one plain line per finding whatever the terminal width (CI logs, grep)
        print(redact(finding.line()), flush=True)

    try:
        findings = diagnose(args.config, Path(args.docs), offline=args.offline, report=show)
    except Exception as exc:  # a bug in a check: still one line and a failing exit code
        print(f"error    doctor: internal error: {type(exc).__name__}: {redact(str(exc))}", flush=True)
        return 1
    print(summary_line(findings), flush=True)
    return 1 if any(f.level == ERROR for f in findings) else 0


def main(argv: list[str] | None = None, *, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run one command; `sleep` is how a run waits between requests and before retries (tests pass a fake clock)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # emoji=False: rich would print "config.yml:100: key" as "config.yml💯 key" (and any :name: from a feed)
    console = Console(stderr=True, highlight=False, emoji=False)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    forget_all()  # secrets of an earlier in-process run (tests)
    if args.command == "doctor":
        return run_doctor(args)
    try:
        if args.command == "migrate":
            run_migrate(args, console)
            return 0
        report = run(args, console, sleep)
    except GeneratorError as err:
        console.print(f"error: {redact(str(err))}", markup=False, soft_wrap=True)
        return err.exit_code
    except Exception as exc:  # a bug: still one line, the traceback only on request
        if args.verbose:
            console.print(redact("".join(traceback.format_exception(exc))), markup=False, highlight=False, soft_wrap=True)
        console.print(
            f"error: internal error: {type(exc).__name__}: {redact(str(exc))} (rerun with -v for the traceback)",
            markup=False,
            soft_wrap=True,
        )
        return 1
    except KeyboardInterrupt:
        console.print("error: interrupted; the archive is as it was, or its commit is completed by the next run", markup=False)
        return 130
    print_report(report, console)
    return 0
