"""The `reporter` command: build (and, later, check, diff, watch, new). Thin: parse, call, report.

Exit codes: 0 success, 1 the project has an error (build failed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from reporter import __version__
from reporter.errors import ReportError, UsageError


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
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        print("interrupted: outputs left as they were", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reporter", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"reporter {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser("build", help="build the HTML and PDF into out/")
    build.add_argument(
        "path", nargs="?", default=".", type=Path, help="project folder (default: here)"
    )
    build.add_argument("--out", type=Path, help="output folder (default: PATH/out)")
    build.add_argument("--html-only", action="store_true", help="skip the PDF")
    build.add_argument("--debug", action="store_true", help="show tracebacks")
    build.set_defaults(func=_build)
    return parser


def _build(args: argparse.Namespace) -> int:
    from reporter.pipeline import build
    from reporter.project import Project

    started = time.perf_counter()
    project = Project.at(args.path)
    result = build(project, out=args.out, pdf=not args.html_only, progress=_step)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    wrote = [result.html] + ([result.pdf] if result.pdf else [])
    pages = f", {result.pages} pages" if result.pdf else ""
    print(
        f"wrote {', '.join(_shown(p) for p in wrote)}{pages} in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _step(message: str) -> None:
    print(f"  {message}", file=sys.stderr)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
