"""The `reporter` command: build, check, diff, watch, new. Thin: parse, call, report.

Exit codes: 0 success; 1 the build failed (a project error), a figure fails the check, or the
two documents differ; 2 bad usage, and for check and diff also input they cannot read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from reporter import __version__
from reporter.errors import ReportError, UsageError

PROJECT_PATH = {
    "nargs": "?",
    "default": ".",
    "type": Path,
    "help": "project folder (default: here)",
}
MAX_ERRORS = 30  # printed after the first, when one run finds many


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except ReportError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        for other in exc.others[:MAX_ERRORS]:
            print(f"error: {other}", file=sys.stderr)
        if len(exc.others) > MAX_ERRORS:
            print(f"… and {len(exc.others) - MAX_ERRORS} more errors", file=sys.stderr)
        # for check and diff, 1 means "figures fail" / "documents differ": bad input is 2
        return 2 if isinstance(exc, UsageError) or args.func in (_check, _diff) else 1
    except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM during a build (interrupts.py)
        print("interrupted: outputs left as they were", file=sys.stderr)
        return getattr(exc, "exit_code", 130)
    except OSError as exc:  # the file system, not the project: one line all the same
        if args.debug:
            raise
        from reporter.export.publish import fs_error

        print(f"error: {fs_error(exc, Path('.'), 'file system error')}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reporter", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"reporter {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks")

    def command(name: str, **kwargs) -> argparse.ArgumentParser:  # every one takes --debug
        return subparsers.add_parser(name, parents=[common], **kwargs)

    build = command("build", help="build the HTML and PDF into out/")
    build.add_argument("path", **PROJECT_PATH)
    build.add_argument("--out", type=Path, help="output folder (default: PATH/out)")
    build.add_argument("--html-only", action="store_true", help="skip the PDF")
    build.add_argument(
        "--draft",
        action="store_true",
        help="build even if figures fail the check; stamp every page DRAFT",
    )
    build.add_argument("--fresh", action="store_true", help="ignore the cache (.reporter-cache/)")
    build.add_argument("--timings", action="store_true", help="print the time of each stage")
    build.add_argument(
        "--verbose", "-v", action="store_true", help="say what came from the cache, and what not"
    )
    build.set_defaults(func=_build)

    check = command("check", help="verify every figure stated in the prose against the data")
    check.add_argument("path", **PROJECT_PATH)
    check.add_argument(
        "--format",
        choices=("text", "json", "junit", "github", "markdown"),
        default="text",
        help="markdown: a write-up of what fails; with --data, next to the project's own values",
    )
    check.add_argument(
        "--unbound", action="store_true", help="list numbers that are neither bound nor declared"
    )
    check.add_argument(
        "--verbose", "-v", action="store_true", help="list passing and declared figures too"
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail on any number, number word or rank that is neither bound nor declared",
    )
    check.add_argument("--data", type=Path, help="read data from this folder instead of PATH/data")
    check.add_argument("--output", "-o", type=Path, help="write the report to a file")
    check.set_defaults(func=_check)

    new = command("new", help="create a small working report project in DIR")
    new.add_argument("dir", type=Path, help="a new or empty folder")
    new.set_defaults(func=_new)

    diff = command(
        "diff",
        help="what changed between two PDFs (OLD.pdf NEW.pdf), or since a git revision (REV)",
        description="Exit 0 when the two documents read the same, 1 when they differ, 2 on error.",
    )
    diff.add_argument(
        "old", help="the old PDF, or a git revision (then NEW is this project's build)"
    )
    diff.add_argument("new", nargs="?", help="the new PDF")
    diff.add_argument(
        "--project", type=Path, default=Path("."), help="project folder for REV (default: here)"
    )
    diff.add_argument(
        "--html", type=Path, metavar="DIR", help="write a review page to DIR/index.html"
    )
    diff.set_defaults(func=_diff)

    watch = command(
        "watch",
        help="build, serve the HTML on localhost, rebuild and reload the page on every change",
        description="Opens nothing: open the URL it prints. Ctrl-C stops it.",
    )
    watch.add_argument("path", **PROJECT_PATH)
    watch.add_argument(
        "--port", type=int, default=8000, help="port to serve on (default: 8000; 0: any free one)"
    )
    watch.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)"
    )
    watch.add_argument("--out", type=Path, help="output folder (default: PATH/out)")
    watch.add_argument("--html-only", action="store_true", help="do not rebuild the PDF")
    watch.add_argument(
        "--draft",
        action="store_true",
        help="build even if figures fail the check; stamp every page DRAFT",
    )
    watch.set_defaults(func=_watch)
    return parser


def _new(args: argparse.Namespace) -> int:
    from reporter.scaffold import new_project

    files = new_project(args.dir)
    what = "one section, a table, a chart, a footnote"
    print(f"created {_shown(args.dir)} ({len(files)} files): {what}")
    print(f"next: reporter check {_shown(args.dir)} && reporter build {_shown(args.dir)}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from reporter.diff.run import diff_pdfs, diff_revision, is_pdf_path

    if args.new is not None:
        result = diff_pdfs(Path(args.old), Path(args.new), args.html)
    elif is_pdf_path(args.old):
        raise UsageError(
            "give two PDFs, or one git revision", hint="reporter diff OLD.pdf NEW.pdf | REV"
        )
    else:
        from reporter.project import Project

        result = diff_revision(Project.at(args.project).root, args.old, args.html)
    sys.stdout.write(result.text())
    if args.html:
        print(f"review page: {_shown(args.html / 'index.html')}")
    return 1 if result.differ else 0


def _check(args: argparse.Namespace) -> int:
    from reporter.check.report import render
    from reporter.pipeline import check_project
    from reporter.project import Project

    project = Project.at(args.path)
    if args.data is not None and not args.data.is_dir():
        raise UsageError(f"--data {args.data}: no such folder")
    doc, report = check_project(project, args.data, args.strict)
    title = f"{doc.meta['symbol']}: reporter check"
    baseline = None
    if args.format == "markdown" and args.data:
        title = f"{doc.meta['symbol']} checked against {_shown(args.data)}"
        baseline = check_project(project, None, args.strict, doc)[1]
    text = render(report, args.format, args.verbose, args.unbound, title, baseline)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(report_summary(report))
    else:
        sys.stdout.write(text)
    return 1 if report.failed else 0


def report_summary(report) -> str:
    from reporter.check.report import summary

    return summary(report)


def _build(args: argparse.Namespace) -> int:
    from reporter.pipeline import build
    from reporter.project import Project

    started = time.perf_counter()
    project = Project.at(args.path)
    result = build(
        project,
        out=args.out,
        pdf=not args.html_only,
        draft=args.draft,
        progress=_step,
        fresh=args.fresh,
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.timings:
        for name, seconds in result.timings.items():
            print(f"  {seconds:7.3f} s  {name}")
    if args.verbose:
        cache = result.cache
        print(f"  cache: {len(cache.hits)} reused, {len(cache.misses)} computed")
        for entry in cache.rejected:
            print(f"  cache: {entry}: damaged (its digest does not match), recomputed")
    wrote = [result.html] + ([result.pdf] if result.pdf else [])
    pages = f", {result.pages} pages" if result.pdf else ""
    elapsed = time.perf_counter() - started
    reused = f" ({len(result.cache.hits)} results reused from cache)" if result.cache.hits else ""
    print(f"wrote {', '.join(_shown(p) for p in wrote)}{pages} in {elapsed:.1f} s{reused}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from reporter.project import Project
    from reporter.watch import watch

    project = Project.at(args.path)
    return watch(
        project,
        out=args.out,
        host=args.host,
        port=args.port,
        pdf=not args.html_only,
        draft=args.draft,
        debug=args.debug,
    )


def _step(message: str) -> None:
    print(f"  {message}", file=sys.stderr)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
