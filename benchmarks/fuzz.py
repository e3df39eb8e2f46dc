"""Random fuzzing of the parsers that read untrusted content and data (no atheris needed).

    python benchmarks/fuzz.py [--seconds 300] [--seed N] [--only inline,yaml,...]

Each target gets an equal share of the time and is fed random inputs, half of them mutations
of the flagship's own content and data (which reach deeper than random bytes). Anything raised
that is not the target's expected error (ReportError, or NotAFigure for parse_figure) is a
crash: it is printed with the input that caused it, once per distinct (type, place).
Exit code 1 if there was a crash.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import random
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporter.check.figures import NotAFigure, parse_figure  # noqa: E402
from reporter.compute.formula import evaluate, parse_formula  # noqa: E402
from reporter.compute.tables import format_number  # noqa: E402
from reporter.content.inline import parse_inline  # noqa: E402
from reporter.content.tablespec import NumberFormat, parse_table_spec  # noqa: E402
from reporter.content.yamlsource import Text, load_yaml  # noqa: E402
from reporter.data.readers import ReadOptions, read_file  # noqa: E402
from reporter.errors import Location, ReportError  # noqa: E402
from tests.markup import rendered  # noqa: E402

HERE = Location(Path("fuzz.yaml"), 1, 1)
LAST: list[object] = [None]  # the input being tried, shown with a crash
MARKUP = ["*", "[", "]", "(", ")", "{", "}", "\\", "^", "@", "#", "=", "..", "src=", "<", ">",
          "&", '"', "'", "{{", "}}", "{%", "%}", "https://", "mailto:", "javascript:", " ", "\n",
          "a", "x-1", "7", "\u00a0", "\u2028", "\x00", "`", "-", "."]  # fmt: skip
FIGURE_WORDS = ["about", "almost", "just under", "more than", "at least", "up to", "$", "46",
                "1,234", "5.4", "0.25", "million", "billion", "per cent", "%", "thirty-five",
                "one third", "doubled", "half", "Twenty", " ", "-", ",", ".", "e9"]  # fmt: skip
FORMULA_TOKENS = ["a", "b", "c", "x_1", "[a-1]", "[ r ]", "+", "-", "*", "/", "**", "%", "(",
                  ")", "1", "0", "2.5", "1e308", "9" * 30, " ", "__import__", "'os'", ".",
                  "system", "lambda", ":", ",", "[", "]", "not", "if", "else", "==", "@", "~",
                  "\x00", "\n", "#", "f'{1}'", "{", "}", "yield", "await", "..."]  # fmt: skip


def corpus(pattern: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted(ROOT.glob(pattern)) if p.is_file()]


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        i = rng.randint(0, len(out)) if out else 0
        if op < 0.3 and out:
            del out[i : i + rng.randint(1, 16)]
        elif op < 0.55:
            out[i:i] = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 8)))
        elif op < 0.8:
            snippet = rng.choice(
                [b"&a ", b"*a", b"!!", b"!!python/object:os.system ", b"<<: ", b"[", b"{",
                 b"- ", b": ", b'"', b"'", b"\n  ", b"\t", b",", b'""', b"\r", b"\xef\xbb\xbf",
                 b"\xff", b"?", b"|", b">", b"---\n", b"..."]
            )  # fmt: skip
            out[i:i] = snippet
        elif out:
            j = rng.randint(0, len(out))
            out[i:i] = out[min(i, j) : max(i, j)][:256]  # duplicate a slice
    return bytes(out)


def random_text(rng: random.Random, parts: list[str], most: int = 40) -> str:
    """Up to `most` pieces, drawn mostly from `parts`; 1 in 50 is long (resource limits):
    a few pieces repeated thousands of times, so that nesting and chains get deep."""
    if rng.random() < 0.02:
        unit = "".join(rng.choice(parts) for _ in range(rng.randint(1, 3)))
        return unit * rng.randint(500, 20_000) + rng.choice(parts)
    pieces = []
    for _ in range(rng.randint(0, most)):
        if rng.random() < 0.85:
            pieces.append(rng.choice(parts))
        else:
            pieces.append(chr(rng.choice([rng.randint(0, 127), rng.randint(0, 0x2FFF)])))
    return "".join(pieces)


def check_inline(nodes) -> None:
    rendered(nodes)  # raises if the HTML holds a tag the markup did not produce


# --- targets: each takes (rng, scratch folder) and returns nothing or raises ---------------


def t_inline(rng: random.Random, scratch: Path) -> None:
    if rng.random() < 0.5:
        raw = random_text(rng, MARKUP)
    else:
        raw = mutate(rng.choice(PROSE).encode(), rng).decode("utf-8", "replace")
    if rng.random() < 0.5:  # as loaded from YAML: locations are mapped through the source
        source = "p: " + raw.replace(" ", rng.choice([" ", "\n  ", "  "]))
        raw = Text(raw, HERE, 3, source)
    LAST[0] = raw
    try:
        nodes = parse_inline(raw, HERE)
    except ReportError:
        return
    check_inline(nodes)


def t_yaml(rng: random.Random, scratch: Path) -> None:
    if rng.random() < 0.2:
        data = bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 200)))
    else:
        data = mutate(rng.choice(YAMLS), rng)
    path = scratch / "content" / "x.yaml"
    path.write_bytes(data)
    LAST[0] = data
    with contextlib.suppress(ReportError):
        load_yaml(path, Path("content/x.yaml"))


def t_tablespec(rng: random.Random, scratch: Path) -> None:
    path = scratch / "content" / "t.yaml"
    LAST[0] = data = mutate(rng.choice(TABLES), rng)
    path.write_bytes(data)
    with contextlib.suppress(ReportError):
        parse_table_spec(load_yaml(path, Path("content/t.yaml")), "t", Path("content/t.yaml"))


def t_csv(rng: random.Random, scratch: Path) -> None:
    if rng.random() < 0.2:
        data = bytes(rng.choice(b'ab1.,"\r\n \x00\xff') for _ in range(rng.randint(0, 300)))
    else:
        data = mutate(rng.choice(CSVS), rng)
    path = scratch / "data" / "x.csv"
    path.write_bytes(data)
    LAST[0] = data
    with contextlib.suppress(ReportError):
        read_file("x", path, Path("data/x.csv"), ReadOptions())


def t_figure(rng: random.Random, scratch: Path) -> None:
    text = LAST[0] = random_text(rng, FIGURE_WORDS, 8)
    try:
        stated = parse_figure(text)
    except NotAFigure:
        return
    if not math.isfinite(stated.value) or stated.decimals < 0:
        raise AssertionError(f"parse_figure({text!r}) -> {stated}")


def t_formula(rng: random.Random, scratch: Path) -> None:
    text = LAST[0] = random_text(rng, FORMULA_TOKENS, 16)
    try:
        tree = parse_formula(text, HERE)
        evaluate(tree, lambda name, row: rng.choice([0.0, 1.5, -2.0, 1e308]), text, HERE)
    except ReportError:
        pass


def t_number(rng: random.Random, scratch: Path) -> None:
    value = rng.choice(
        [rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randint(-12, 15), -0.0, 0.5, 1e21,
         rng.randint(-(10**17), 10**17) / 10 ** rng.randint(0, 8)]
    )  # fmt: skip
    fmt = NumberFormat(rng.randint(0, 6), rng.choice(["parentheses", "minus"]), ",")
    LAST[0] = (value, fmt)
    text = format_number(value, fmt)
    back = float(text.strip("()").replace("\u2212", "").replace(",", ""))
    if text.startswith(("(", "\u2212")):
        back = -back
    if abs(back - value) > 0.5 * 10**-fmt.decimals * (1 + 1e-9) + abs(value) * 1e-15:
        raise AssertionError(f"format_number({value!r}, {fmt}) = {text!r}")


TARGETS = {
    "inline": t_inline,
    "yaml": t_yaml,
    "tablespec": t_tablespec,
    "csv": t_csv,
    "figure": t_figure,
    "formula": t_formula,
    "number": t_number,
}
YAMLS = corpus("content/**/*.yaml")
TABLES = corpus("content/tables/*.yaml")
CSVS = corpus("data/*.csv")
PROSE = [line.strip() for y in YAMLS for line in y.decode().splitlines() if "[" in line][:500]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="total time (default 300)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", default=",".join(TARGETS), help="comma-separated targets")
    args = parser.parse_args()
    warnings.simplefilter("ignore", SyntaxWarning)  # ast.parse warns on "1a" in a formula
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    names = [n for n in args.only.split(",") if n]
    share = args.seconds / len(names)
    crashes: dict[tuple, str] = {}
    print(f"fuzzing {', '.join(names)} for {args.seconds:.0f} s, seed {seed}")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        (scratch / "content").mkdir()
        (scratch / "data").mkdir()
        for name in names:
            rng = random.Random(f"{seed}-{name}")
            target, runs, slowest = TARGETS[name], 0, 0.0
            stop = time.perf_counter() + share
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    target(rng, scratch)
                except Exception as exc:  # noqa: BLE001 - anything else is a finding
                    frame = traceback.extract_tb(exc.__traceback__)[-1]
                    key = (name, type(exc).__name__, frame.filename, frame.lineno)
                    if key not in crashes:
                        crashes[key] = f"{type(exc).__name__}: {str(exc)[:300]}"
                        print(f"CRASH {name}: {type(exc).__name__} at "
                              f"{Path(frame.filename).name}:{frame.lineno}: {str(exc)[:300]}\n"
                              f"  input: {LAST[0]!r:.600}")  # fmt: skip
                slowest = max(slowest, time.perf_counter() - started)
                runs += 1
            print(f"{name:10} {runs:9,} runs  slowest {slowest * 1000:7.1f} ms")
    print(f"{len(crashes)} distinct crash(es)")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
