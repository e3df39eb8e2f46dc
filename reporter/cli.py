"""The `reporter` command line: build, check, diff, watch and new; each command parses its
options, calls the engine and prints what came of it (exit codes in EXIT_CODES)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from reporter import __version__
from reporter.errors import MAX_LINE, ReportError, UsageError, printable
from reporter.files import shown
from reporter.text import plural

if TYPE_CHECKING:
    from reporter.pipeline import BuildResult

    Commands = argparse._SubParsersAction

DESCRIPTION = (
    "Build reports from YAML content and CSV data into HTML and PDF, every figure checked."
)
EXIT_CODES = """\
exit codes:
  0    success
  1    the project has an error; for check, a figure fails; for diff, the documents differ
  2    bad usage; for check and diff, also input they cannot read
  130  interrupted (143 on SIGTERM); outputs are left as they were"""
PROJECT_PATH = {
    "nargs": "?",
    "default": ".",
    "metavar": "PATH",
    "type": Path,
    "help": "project folder (default: here)",
}
# the build's stages as the engine announces them; the PDF's is the last, skipped by --html-only
STAGES = ("Reading content", "Computing tables", "Checking figures", "Drawing charts",
          "Rendering HTML", "Writing PDF")  # fmt: skip
MAX_ERRORS = 30  # printed after the first, when one run finds many
Progress = Callable[[str], None]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    command = getattr(args, "parser", parser)  # errors name it: 'see reporter build --help'
    if extra:
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.quiet and args.verbose:
        command.error("-q/--quiet and -v/--verbose exclude each other")
    if command is parser:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except ReportError as exc:
        if args.debug:
            raise
        _print_errors(exc)
        return 2 if isinstance(exc, UsageError) else _failed(args)
    except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM during a build (interrupts.py)
        print("interrupted: outputs left as they were", file=sys.stderr)
        return getattr(exc, "exit_code", 130)
    except OSError as exc:  # the file system, not the project: one line all the same
        if args.debug:
            raise
        from reporter.export.publish import fs_error

        line = fs_error(exc, Path("."), "file system error")
        print(f"error: {printable(line, MAX_LINE)}", file=sys.stderr)
        return _failed(args)


def _failed(args: argparse.Namespace) -> int:
    """The exit code of a run that could not be done: 1, but 2 for check and diff, where 1
    means "figures fail" / "documents differ"."""
    return 2 if args.func in (_check, _diff) else 1


def _print_errors(exc: ReportError) -> None:
    """One line per error; str() of a ReportError is printable (escaped and bounded)."""
    print(f"error: {exc}", file=sys.stderr)
    for other in exc.others[:MAX_ERRORS]:
        print(f"error: {other}", file=sys.stderr)
    if len(exc.others) > MAX_ERRORS:
        more = plural(len(exc.others) - MAX_ERRORS, "more error")
        print(f"… and {more}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """A usage error is one line and exit code 2, naming the command's --help."""

    def error(self, message: str) -> NoReturn:
        message = printable(message, MAX_LINE)  # it quotes the arguments given
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _Help(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs as written; the commands listed without a COMMAND line."""

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(a) for a in action._get_subactions())
        return super()._format_action(action)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reporter",
        description=DESCRIPTION,
        epilog=f"{EXIT_CODES}\n\n'reporter COMMAND --help' shows a command's options and examples.",
        formatter_class=_Help,
    )
    parser.add_argument("--version", action="version", version=f"reporter {__version__}")
    _global_options(parser, "say more (each command's --help says what)", top=True)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in (_build_command, _check_command, _diff_command, _watch_command, _new_command):
        add(commands)
    return parser


def _global_options(
    parser: argparse.ArgumentParser,
    verbose: str,
    quiet: str = "print nothing but errors and warnings",
    top: bool = False,
) -> None:
    """-q, -v and --debug, before the command or after it: the command's copies leave the
    value alone unless given (SUPPRESS), so `reporter --debug build` keeps --debug. A help
    of SUPPRESS hides an option that means nothing to the command (it is still accepted)."""
    default = False if top else argparse.SUPPRESS
    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument("-q", "--quiet", action="store_true", default=default, help=quiet)
    group.add_argument("-v", "--verbose", action="store_true", default=default, help=verbose)
    group.add_argument("--debug", action="store_true", default=default, help="show tracebacks")


def _command(
    commands: Commands, name: str, summary: str, examples: str, exits: str, func: Callable
) -> argparse.ArgumentParser:
    """A subcommand: one-line description, examples and exit codes in its --help."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=summary[:1].upper() + summary[1:] + ".",
        epilog=f"examples:\n{examples}\n\nexit codes:\n{exits}",
        formatter_class=_Help,
    )
    parser.set_defaults(func=func, parser=parser)
    return parser


def _output_options(parser: argparse.ArgumentParser, html_only: str) -> None:
    """What build and watch share: where to write, whether to write the PDF, drafts."""
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PATH/out)")
    parser.add_argument("--html-only", action="store_true", help=html_only)
    parser.add_argument(
        "--draft",
        action="store_true",
        help="build even if figures fail the check; the pages say how many fail",
    )


def _edition_options(parser: argparse.ArgumentParser) -> None:
    """A project with editions (docs/editions.md): which to do, and where."""
    group = parser.add_argument_group("editions (a project that declares editions:)")
    group.add_argument(
        "--edition",
        action="append",
        default=[],
        metavar="ID",
        help="only this edition (repeatable; default: every edition)",
    )
    group.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="editions at once, in N warm worker processes (default: 1)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask cluster (tcp://HOST:PORT) instead of local workers",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {text!r}")
    return int(text)


def _build_command(commands: Commands) -> None:
    build = _command(
        commands,
        "build",
        "build the HTML and the PDF into PATH/out/",
        """\
  reporter build                     the project here, into out/
  reporter build ../other-report --html-only
  reporter build --draft             even if figures fail (stamped DRAFT)
  reporter build --out /tmp/site -q  elsewhere, printing only errors and warnings""",
        """\
  0    built; out/ holds the new outputs
  1    the project has an error, or a figure fails (without --draft); out/ is left as it was
  2    bad usage, or PATH is not a report project
  130  interrupted (143 on SIGTERM); out/ is left as it was""",
        _build,
    )
    build.add_argument("path", **PROJECT_PATH)
    _output_options(build, "skip the PDF")
    build.add_argument("--fresh", action="store_true", help="ignore the cache, recompute all")
    build.add_argument("--timings", action="store_true", help="print the time of each stage")
    _edition_options(build)
    _global_options(build, "print each stage, and what came from the cache")


def _check_command(commands: Commands) -> None:
    check = _command(
        commands,
        "check",
        "verify every figure stated in the prose against the data, or a published PDF "
        "against the evidence it carries",
        """\
  reporter check                          the failures and a summary
  reporter check -v                       every figure, with its value and rule
  reporter check --unbound                also the numbers left unbound
  reporter check --format junit -o check.xml
  reporter check --data data/next-revision --format markdown -o report.md
  reporter check out/report.pdf           a published PDF, from the evidence it carries""",
        """\
  0  every figure and table holds
  1  a figure or a table check fails (with --strict, also a number left unbound)
  2  bad usage, or the project cannot be read""",
        _check,
    )
    check.add_argument(
        "path", **(PROJECT_PATH | {"help": "project folder (default: here), or a PDF it built"})
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "junit", "github", "markdown"),
        default="text",
        metavar="FORMAT",
        help="text (default): for people; json: every figure, for programs; junit: JUnit "
        "XML, one test case per figure; github: workflow annotations on the lines; markdown: "
        "a write-up of what fails (with --data, next to the project's own values)",
    )
    check.add_argument(
        "--unbound", action="store_true", help="list numbers that are neither bound nor declared"
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail on any number, number word or rank that is neither bound nor declared",
    )
    check.add_argument(
        "--data", type=Path, metavar="DIR", help="read data from this folder instead of PATH/data"
    )
    check.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report to FILE")
    _edition_options(check)
    _global_options(check, "list passing and declared figures too", "print the failures alone")


def _diff_command(commands: Commands) -> None:
    diff = _command(
        commands,
        "diff",
        "what changed between two PDFs (OLD.pdf NEW.pdf), or since a git revision (REV)",
        """\
  reporter diff old/report.pdf out/report.pdf
  reporter diff HEAD~1 --html review     this project at HEAD~1 against the working tree
  reporter diff -q OLD.pdf NEW.pdf       the exit code alone says whether they differ""",
        """\
  0  the two documents read the same
  1  they differ
  2  bad usage, or a document or revision that cannot be read""",
        _diff,
    )
    diff.add_argument(
        "old", metavar="OLD", help="the old PDF, or a git revision REV (NEW: this project's build)"
    )
    diff.add_argument("new", nargs="?", metavar="NEW", help="the new PDF")
    diff.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        metavar="PATH",
        help="project folder for REV (default: here)",
    )
    diff.add_argument(
        "--html", type=Path, metavar="DIR", help="write a review page to DIR/index.html"
    )
    _global_options(diff, argparse.SUPPRESS, "print nothing: the exit code says it")


def _watch_command(commands: Commands) -> None:
    watch = _command(
        commands,
        "watch",
        "build, serve the HTML on localhost, rebuild and reload the page on every change",
        """\
  reporter watch                   serve on http://127.0.0.1:8000; open the URL it prints
  reporter watch --port 0          any free port
  reporter watch --html-only       do not rebuild the PDF
  reporter watch --edition jp.fr   a project with editions: preview this one""",
        """\
  0  stopped (Ctrl-C, or SIGTERM); a failed rebuild does not stop it
  1  a file system error
  2  bad usage, PATH is not a report project, or the port cannot be served on""",
        _watch,
    )
    watch.add_argument("path", **PROJECT_PATH)
    watch.add_argument(
        "--port", type=int, default=8000, help="port to serve on (default: 8000; 0: any free one)"
    )
    watch.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)"
    )
    _output_options(watch, "do not rebuild the PDF")
    watch.add_argument(
        "--edition",
        action="append",
        default=[],
        metavar="ID",
        help="a project with editions: the one to preview (default: the first)",
    )
    _global_options(watch, argparse.SUPPRESS, argparse.SUPPRESS)  # one line per event


def _new_command(commands: Commands) -> None:
    new = _command(
        commands,
        "new",
        "create a small working report project in DIR",
        """\
  reporter new my-report && reporter build my-report""",
        """\
  0  created
  1  a file system error
  2  DIR exists and is not empty""",
        _new,
    )
    new.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    _global_options(new, "list the files created")


def _new(args: argparse.Namespace) -> int:
    from reporter.scaffold import new_project

    files = new_project(args.dir)
    if args.quiet:
        return 0
    what = "one section, a table, a chart, a footnote"
    folder = printable(shown(args.dir))
    print(f"created {folder} ({plural(len(files), 'file')}): {what}")
    if args.verbose:
        print("\n".join(f"  {printable(shown(f))}" for f in files))
    print(f"next: reporter check {folder} && reporter build {folder}")
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
    if not args.quiet:
        sys.stdout.write(_printable_lines(result.text()))  # the text of untrusted PDFs
        if args.html:
            print(f"review page: {printable(shown(args.html / 'index.html'))}")
    return 1 if result.differ else 0


def _check(args: argparse.Namespace) -> int:
    from reporter.check.report import render, summary
    from reporter.pipeline import check_project
    from reporter.project import Project

    if args.path.is_file() or args.path.suffix.lower() == ".pdf":
        return _check_pdf(args)
    project = Project.at(args.path)
    if args.data is not None and not args.data.is_dir():
        raise UsageError(f"--data {args.data}: no such folder")
    if _has_editions(project, args):
        return _check_fleet(args, project)
    doc, report = check_project(project, args.data, args.strict)
    title = f"{doc.meta['symbol']}: reporter check"
    baseline = None
    if args.format == "markdown" and args.data:
        title = f"{doc.meta['symbol']} checked against {shown(args.data)}"
        baseline = check_project(project, None, args.strict, doc)[1]
    text = render(
        report, args.format, args.verbose, args.unbound, title, baseline, quiet=args.quiet
    )
    _write_report(text, args.output, None if args.quiet else summary(report))
    return 1 if report.failed else 0


def _check_pdf(args: argparse.Namespace) -> int:
    """A published PDF, re-verified from the evidence it carries alone."""
    from reporter.check.report import render, summary
    from reporter.verify.run import verify_pdf

    for option, given in (("--data", args.data), ("--edition", args.edition)):
        if given:
            raise UsageError(f"{option} is for a project folder, not a PDF")
    report = verify_pdf(args.path, args.strict)
    title = f"{args.path.name}: reporter check"
    text = render(report, args.format, args.verbose, args.unbound, title, quiet=args.quiet)
    _write_report(text, args.output, None if args.quiet else summary(report))
    return 1 if report.failed else 0


def _printable_lines(text: str) -> str:
    """Each line of `text` printable(): its control and bidi characters escaped."""
    return "\n".join(printable(line, MAX_LINE) for line in text.split("\n"))


def _write_report(text: str, output: Path | None, summary: str | None) -> None:
    """The report to a file (and its summary here) or to standard output."""
    if output:
        output.write_text(text, encoding="utf-8")
        if summary:
            print(summary)
    else:
        sys.stdout.write(text)


def _build(args: argparse.Namespace) -> int:
    from reporter.pipeline import build
    from reporter.project import Project

    started = time.perf_counter()
    project = Project.at(args.path)
    if _has_editions(project, args):
        return _build_fleet(args, project, started)
    stages = len(STAGES) - (1 if args.html_only else 0)
    with _progress(stages, args.quiet, args.verbose) as progress:
        result = build(
            project,
            out=args.out,
            pdf=not args.html_only,
            draft=args.draft,
            progress=progress,
            fresh=args.fresh,
        )
    for line in _build_notes(result, args.draft, args.quiet):
        print(line, file=sys.stderr)
    if args.timings:
        for name, seconds in result.timings.items():
            print(f"  {seconds:7.3f} s  {name}")
    if args.verbose:
        cache = result.cache
        print(f"  cache: {len(cache.hits)} reused, {len(cache.misses)} computed")
        for entry in cache.rejected:
            print(f"  cache: {printable(entry)}: damaged (its digest does not match), recomputed")
    if not args.quiet:
        print(_wrote(result, time.perf_counter() - started))
    return 0


def _has_editions(project, args: argparse.Namespace) -> bool:
    from reporter.editions import editions_of

    if editions_of(project):
        return True
    if args.edition:
        raise UsageError("--edition: this project has no editions", hint="see docs/editions.md")
    return False


def _build_fleet(args: argparse.Namespace, project, started: float) -> int:
    from reporter.fleet import build_fleet

    result = build_fleet(
        project,
        args.out or project.out(),
        args.edition,
        jobs=args.jobs,
        scheduler=args.scheduler,
        pdf=not args.html_only,
        draft=args.draft,
        fresh=args.fresh,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    for ident, error in sorted(result.failed.items()):
        for line in error.split("\n"):  # one line per error
            print(f"error: edition {ident}: {printable(line, MAX_LINE)}", file=sys.stderr)
    if not args.quiet:
        done = [f"{len(result.built)} built", f"{len(result.reused)} unchanged"]
        done += [f"{len(result.failed)} failed"] if result.failed else []
        seconds = time.perf_counter() - started
        index = shown(result.out / "index.html")
        print(f"wrote {printable(index)}: {', '.join(done)} in {seconds:.1f} s")
    return 1 if result.failed else 0


def _check_fleet(args: argparse.Namespace, project) -> int:
    from reporter.check.report import fleet_report
    from reporter.fleet import check_fleet

    if args.data is not None:
        raise UsageError("--data is for a project without editions")
    outcomes = check_fleet(
        project,
        args.edition,
        jobs=args.jobs,
        scheduler=args.scheduler,
        strict=args.strict,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    text, failed = fleet_report(outcomes, args.format, args.verbose, args.quiet)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if failed else 0


def _build_notes(result: BuildResult, draft: bool, quiet: bool) -> list[str]:
    """Warnings; a draft's failing checks; with no -q, the errata kept and the table notes
    (the README promises they are printed on every run). Each line printable(): a warning
    may quote a file's name, and a name may hold a newline or a bidi control."""
    from reporter.check.report import errata_lines, summary

    report = result.check
    lines = [f"warning: {printable(warning, MAX_LINE)}" for warning in result.warnings]
    if draft and report.failed:
        lines.append(f"warning: draft: {summary(report)} ('reporter check' lists the failures)")
    if not quiet:
        lines += [f"note: {printable(line, MAX_LINE)}" for line in errata_lines(report)]
        if report.notes:
            notes = plural(len(report.notes), "table note")
            lines.append(f"note: {notes} (printed values, rounding): 'reporter check' lists them")
    return lines


def _wrote(result: BuildResult, seconds: float) -> str:
    """wrote out/X.html, out/X.pdf, 16 pages in 2.1 s (12 results reused from cache)"""
    wrote = [result.html] + ([result.pdf] if result.pdf else [])
    pages = f", {plural(result.pages, 'page')}" if result.pdf else ""
    hits = len(result.cache.hits)
    reused = f" ({plural(hits, 'result')} reused from cache)" if hits else ""
    files = printable(", ".join(shown(p) for p in wrote), MAX_LINE)
    return f"wrote {files}{pages} in {seconds:.1f} s{reused}"


@contextmanager
def _progress(stages: int, quiet: bool, verbose: bool) -> Iterator[Progress]:
    """What the build says of its stages: with -v, a line each; on a terminal, a progress bar
    cleared when the build ends; otherwise (a pipe, a log, -q) nothing."""
    if verbose:
        yield lambda stage: print(f"  {stage}", file=sys.stderr)
    elif quiet or not sys.stderr.isatty():
        yield lambda stage: None
    else:
        bar = _StageBar(stages)
        try:
            yield bar
        finally:
            bar.close()


class _StageBar:
    """A progress bar over the build's stages on stderr; a stage's call moves it on."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm  # only on a terminal: a run in a pipe or CI pays no import

        self.bar = tqdm(
            total=total,
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
            delay=1e-9,  # drawn first with the first stage's name, not empty
            bar_format="{desc:<18} {bar} {n_fmt}/{total_fmt}",  # no clock: it stops between stages
        )
        self.started = 0

    def __call__(self, stage: str) -> None:
        self.bar.n = self.started  # the stages done: all before this one
        self.started += 1
        self.bar.total = max(self.bar.total, self.started)  # a stage the list does not know
        self.bar.set_description_str(stage.rstrip(" …"))  # and draws the bar

    def close(self) -> None:
        self.bar.close()


def _watch(args: argparse.Namespace) -> int:
    from reporter.project import Project
    from reporter.watch import watch

    project = Project.at(args.path)
    if _has_editions(project, args):  # one edition previewed, its values in place
        from dataclasses import replace

        from reporter.editions import editions_of, select

        edition = select(editions_of(project), args.edition[:1])[0]
        project = replace(project, params=edition.values)
        print(f"previewing edition {printable(edition.id)}", file=sys.stderr)
    return watch(
        project,
        out=args.out,
        host=args.host,
        port=args.port,
        pdf=not args.html_only,
        draft=args.draft,
        debug=args.debug,
    )


if __name__ == "__main__":
    sys.exit(main())
