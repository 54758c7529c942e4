"""Reading article collections and writing results.

Inputs are streamed one article at a time, so a collection larger than memory works. Offsets in
the records index ``Article.text`` exactly as read: text is never normalised (files are opened
with ``newline=""``). Problems with one row or file are reported through ``on_error`` (one line,
naming the file and line or row) and the batch goes on; problems with a whole input raise
``InputError``. See ``docs/format.md``.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import stat
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from stance.records import Article, RecordError, article_from_dict

ErrorHandler = Callable[[str], None]

TEXT_SUFFIXES = (".txt", ".md")
INPUT_SUFFIXES = (*TEXT_SUFFIXES, ".jsonl", ".csv", ".parquet")
OUTPUT_SUFFIXES = (".jsonl", ".csv", ".parquet")
# Suffixes that mark a missing input as a mistyped file path rather than a `datasets` name, so a
# typo fails at once instead of going to the network.
_FILE_LIKE_SUFFIXES = (*INPUT_SUFFIXES, ".json", ".tsv", ".gz", ".zip", ".arrow", ".xlsx")

_TABLE_COLUMNS = (
    "id",
    "quote",
    "kind",
    "speaker",
    "source",
    "cue",
    "content",
    "content_spans",
    "confidence",
    "target",
    "target_mentions",
    "stance",
    "score_critical",
    "score_supportive",
    "score_neutral",
)
_TARGET_COLUMNS = _TABLE_COLUMNS[_TABLE_COLUMNS.index("target") :]  # empty for a quote without targets
TABLE_COLUMNS = _TABLE_COLUMNS  # the flat view's columns, for tables built outside this module
_SCORE_LABELS = ("critical", "supportive", "neutral")
_PARQUET_BATCH = 1000


class InputError(ValueError):
    """A whole input that cannot be read: missing path, unknown format, missing column."""


class OutputError(ValueError):
    """An output that must not or cannot be written: it exists, it is an input, it is not writable."""


def printable(text: str) -> str:
    """Text safe to print or write as UTF-8: file names that are not UTF-8 (held by Python as lone
    surrogates) show their bytes as ``\\xff``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class Problems:
    """Collects one-line reports, counting how many records each cost, so a command can say
    "wrote 128 of 130 articles": records in = records out + records reported."""

    def __init__(self, echo: Callable[[str], None] | None = None) -> None:
        self.echo = echo
        self.messages: list[str] = []
        self.lost = 0  # records that reports say are not in the output
        self.warnings = 0  # reports that lose nothing (a duplicate id, a repaired character)

    def __call__(self, message: str, lost: int = 1) -> None:
        message = printable(message)
        self.messages.append(message)
        if lost:
            self.lost += lost
        else:
            self.warnings += 1
        if self.echo is not None:
            self.echo(message)

    def __len__(self) -> int:
        return len(self.messages)


def _one_line(err: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message, shortened, so InputError stays one line."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _report(on_error: ErrorHandler | None, message: str, lost: int = 1) -> None:
    """Report a problem with one row or file, and how many records it cost (0: a warning, the
    record is kept); in strict mode (no handler) it is fatal."""
    if on_error is None:
        raise RecordError(message)
    if isinstance(on_error, Problems):
        on_error(message, lost)
    else:
        on_error(message)  # any one-argument callable (list.append) is a handler too


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _without_surrogates(value: Any) -> tuple[Any, int]:
    """The value with every lone surrogate (JSON's "\\ud83d" without its pair) replaced by U+FFFD,
    which keeps every offset, and how many were replaced: UTF-8 cannot hold them."""
    if isinstance(value, str):
        return _SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        pairs = [_without_surrogates(v) for v in value]
        return [v for v, _ in pairs], sum(n for _, n in pairs)
    if isinstance(value, dict):
        out, count = {}, 0
        for key, v in value.items():
            (key, n1), (v, n2) = _without_surrogates(key), _without_surrogates(v)
            out[key] = v
            count += n1 + n2
        return out, count
    return value, 0


# --------------------------------------------------------------------------- input resolution


@dataclass(frozen=True)
class _Source:
    kind: str  # "folder", "saved", "text", "jsonl", "csv", "parquet" or "hub"
    name: str  # the input as the user gave it, for messages


def _is_saved_dataset(folder: Path) -> bool:
    return (folder / "dataset_dict.json").is_file() or (
        (folder / "dataset_info.json").is_file() and (folder / "state.json").is_file()
    )


def _looks_like_path(name: str) -> bool:
    """Whether a missing input was meant as a local path (hub names are `name` or `owner/name`)."""
    lowered = name.lower()
    return (
        lowered.endswith(_FILE_LIKE_SUFFIXES)
        or name.startswith(("/", ".", "~"))
        or name.endswith(("/", os.sep))
        or name.count("/") > 1
        or "\\" in name
    )


HUB_PREFIX = "hf:"


def _resolve(item: str | Path) -> _Source:
    """Decide how to read one input; local-path mistakes raise here, before any work is done.

    Only a name written ``hf:owner/name`` goes to the Hugging Face Hub: anything else that is not
    on disk is a typo, answered at once instead of after a network time-out.
    """
    name = str(item)
    if isinstance(item, str) and name.startswith(HUB_PREFIX) and len(name) > len(HUB_PREFIX):
        return _Source("hub", name[len(HUB_PREFIX) :])
    path = Path(item).expanduser()
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except OSError as err:  # a name too long, a link loop
        raise InputError(f"{printable(name)}: cannot be read ({_one_line(err)})") from None
    if is_dir:
        return _Source("saved" if _is_saved_dataset(path) else "folder", name)
    if exists:
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            return _Source("text", name)
        if suffix in INPUT_SUFFIXES:
            return _Source(suffix[1:], name)
        raise InputError(
            f"{printable(name)}: unsupported file type {suffix or '(no suffix)'!r}; "
            f"supported: {', '.join(INPUT_SUFFIXES)}, a folder, or a `datasets` dataset"
        )
    if path.is_symlink():
        raise InputError(f"{printable(name)}: a broken symbolic link")
    local = isinstance(item, Path) or _looks_like_path(name)
    hint = "" if local else f" (a Hub dataset is named {HUB_PREFIX}{name})"
    what = "no such file" if path.suffix else "no such file or folder"
    raise InputError(f"{printable(name)}: {what}{hint}")


# --------------------------------------------------------------------------- rows to articles


def _row_article(row: dict[str, Any], text_column: str, id_column: str, default_id: str) -> Article:
    """An article from a plain row: the text column, an optional id, every other field in meta."""
    text = row.get(text_column)
    if text is None:
        raise RecordError(f"no {text_column!r} field")
    if not isinstance(text, str):
        raise RecordError(f"{text_column!r} is not a string but {type(text).__name__}")
    raw_id = row.get(id_column)
    meta: dict[str, Any] = {}
    nested = row.get("meta")
    if isinstance(nested, dict) and "meta" not in (text_column, id_column):
        meta.update(nested)
    for key, value in row.items():
        if key in (text_column, id_column) or (key == "meta" and isinstance(value, dict)):
            continue
        meta[key] = value  # the row's own fields win over a nested meta's
    return Article(
        id=default_id if raw_id is None or raw_id == "" else str(raw_id),
        text=text,
        meta=meta,
    )


def _rows_to_articles(
    rows: Iterable[dict[str, Any]],
    name: str,
    label: str,
    text_column: str,
    id_column: str,
    on_error: ErrorHandler | None,
    start: int = 1,
) -> Iterator[tuple[str, Article]]:
    """Articles from tabular rows (csv, parquet, datasets); ids default to '<label>:<row>', 1-based
    (the first of these rows is row ``start``)."""
    for number, row in enumerate(rows, start=start):
        where = f"{name}: row {number}"
        try:
            article = _row_article(row, text_column, id_column, f"{label}:{number}")
        except RecordError as err:
            _report(on_error, f"{where}: {err}")
            continue
        yield where, article


def _check_columns(name: str, column: str, found: Sequence[str] | None) -> None:
    if found is not None and column not in found:
        raise InputError(
            f"{name}: no column {column!r} (columns: {', '.join(map(str, found)) or 'none'}); "
            "choose one with --text-column"
        )


# --------------------------------------------------------------------------- readers per kind


def _read_text_file(path: Path) -> str:
    # newline="" keeps \r\n as is, so offsets index the file's own text.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _file_problem(path: Path) -> str | None:
    """Why a listed .txt/.md entry is not a file that can be read, or None if it is one.

    Checked before opening: opening a FIFO would block forever.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if path.is_symlink() else "vanished while the folder was read"
    except OSError as err:
        if err.errno == 40:  # ELOOP
            return "a symbolic link loop"
        return f"cannot be read ({_one_line(err)})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def _walk(folder: Path, on_error: ErrorHandler | None) -> Iterator[Path | tuple[Path, str]]:
    """Every .txt/.md entry under folder, in sorted path order, lazily; an entry that cannot be
    read comes as (path, why), so the caller reports it instead of skipping it in silence.

    Hidden files and folders (.git, .ipynb_checkpoints) are skipped, and folder links are not
    followed (each is reported once), so a link cycle cannot loop forever.
    """
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as err:
        yield folder, f"the folder cannot be listed ({_one_line(err)})"
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            real_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            real_dir = False
        if real_dir:
            yield from _walk(path, on_error)
            continue
        if entry.is_symlink() and os.path.isdir(path):
            _report(on_error, f"{printable(str(path))}: a link to a folder, not followed", lost=0)
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        problem = _file_problem(path)
        yield path if problem is None else (path, problem)


def _read_folder(name: str, on_error: ErrorHandler | None) -> Iterator[tuple[str, Article]]:
    root = Path(name).expanduser()
    for item in _walk(root, on_error):
        if isinstance(item, tuple):
            path, problem = item
            _report(on_error, f"{printable(str(path))}: {problem}; skipped")
            continue
        path = item
        shown = printable(str(path))
        try:
            text = _read_text_file(path)
        except UnicodeDecodeError as err:
            _report(on_error, f"{shown}: {_not_utf8(err)}; skipped")
            continue
        except OSError as err:
            _report(on_error, f"{shown}: cannot be read ({_one_line(err)}); skipped")
            continue
        # An id must be UTF-8 like the rest of the record: bytes of a file name that is not show as \xff.
        yield shown, Article(id=printable(path.relative_to(root).as_posix()), text=text)


def _folder_count(name: str) -> int:
    """How many .txt/.md entries a folder holds (each gives an article or one reported line)."""
    return sum(1 for item in _walk(Path(name).expanduser(), lambda *_: None))


def _not_utf8(err: UnicodeDecodeError) -> str:
    data = err.object[:4] if isinstance(err.object, bytes) else b""
    hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
    return f"not valid UTF-8{hint} ({err.reason} at byte {err.start})"


def _read_single_text(name: str, on_error: ErrorHandler | None) -> Iterator[tuple[str, Article]]:
    path = Path(name).expanduser()
    problem = _file_problem(path)
    if problem is not None:
        _report(on_error, f"{printable(name)}: {problem}; skipped")
        return
    try:
        text = _read_text_file(path)
    except UnicodeDecodeError as err:
        _report(on_error, f"{printable(name)}: {_not_utf8(err)}; skipped")
        return
    except OSError as err:
        _report(on_error, f"{printable(name)}: cannot be read ({_one_line(err)}); skipped")
        return
    yield printable(name), Article(id=printable(path.name), text=text)


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    """(line number, text) for each non-blank line; a line that is not UTF-8 gives its error instead.

    Lines are split on \\n only (as JSON Lines says) and decoded one by one, so one bad line
    costs only itself.
    """
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # json.loads refuses a byte-order mark
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield lineno, err
                continue
            if line.strip():
                yield lineno, line


def _json_error(err: json.JSONDecodeError) -> str:
    # Some messages end in "at" already ("Invalid control character at").
    return f"invalid JSON ({err.msg.removesuffix(' at')} at column {err.colno})"


def _load_json_line(line: str, where: str, on_error: ErrorHandler | None) -> Any:
    """One JSON line; lone surrogates, which JSON allows and UTF-8 cannot write, become U+FFFD
    (same length, so offsets hold) with a warning."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise RecordError(_json_error(err)) from None
    if _SURROGATE_ESCAPE.search(line):
        obj, replaced = _without_surrogates(obj)
        if replaced:
            _report(on_error, f"{where}: {replaced} lone surrogate escape(s) replaced by U+FFFD", lost=0)
    return obj


def _jsonl_article(
    line: str,
    text_column: str,
    id_column: str,
    default_id: str,
    where: str = "",
    on_error: ErrorHandler | None = None,
) -> Article:
    obj = _load_json_line(line, where, on_error)
    if not isinstance(obj, dict):
        raise RecordError(f"a line must be a JSON object, not {type(obj).__name__}")
    if "quotes" in obj:  # a full record of our own format
        article = article_from_dict(obj)
        if obj.get("id") is None:
            article.id = default_id
        return article
    return _row_article(obj, text_column, id_column, default_id)


def _read_jsonl(
    name: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
    path = Path(name).expanduser()
    for lineno, line in _jsonl_lines(path):
        where = f"{name}:{lineno}"
        if isinstance(line, UnicodeDecodeError):
            _report(on_error, f"{where}: not valid UTF-8 ({line.reason} at byte {line.start})")
            continue
        try:
            article = _jsonl_article(line, text_column, id_column, f"{path.name}:{lineno}", where, on_error)
        except RecordError as err:
            _report(on_error, f"{where}: {err}")
            continue
        yield where, article


class _CsvLines:
    """The physical lines of a CSV file, decoded one by one, with push-back.

    A row that the csv module rejects (an unterminated quote, a stray quote) would otherwise
    swallow or end the rest of the file: its lines after the first are pushed back and parsing
    starts again there, so a broken row costs only its first line. A line that is not UTF-8
    costs only itself.
    """

    def __init__(self, f: BinaryIO, name: str, on_error: ErrorHandler | None) -> None:
        self.f, self.name, self.on_error = f, name, on_error
        self.lineno = 0
        self.pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []  # lines read for the row being parsed

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if self.pending:
            item = self.pending.popleft()
            self.taken.append(item)
            return item[1]
        while True:
            raw = self.f.readline()
            if not raw:
                raise StopIteration
            self.lineno += 1
            if self.lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # the byte-order mark spreadsheets put first
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                _report(self.on_error, f"{self.name}:{self.lineno}: {_not_utf8(err)}; line skipped")
                continue
            self.taken.append((self.lineno, line))
            return line

    def row_start(self) -> int:
        return self.taken[0][0] if self.taken else self.lineno

    def resync(self) -> None:
        """Drop the first line of the broken row; the lines after it are read again."""
        self.pending.extendleft(reversed(self.taken[1:]))
        self.taken = []


def _csv_reader(lines: _CsvLines) -> Any:
    # strict: a stray or unterminated quote raises instead of silently merging rows.
    return csv.reader(lines, strict=True)


def _csv_header(path: Path, name: str) -> list[str]:
    """The header row of a CSV file; InputError if there is none."""
    with open(path, "rb") as f:
        lines = _CsvLines(f, name, None)
        try:
            header = next(_csv_reader(lines), None)
        except (csv.Error, RecordError) as err:
            raise InputError(f"{name}:1: cannot read the header ({_one_line(err)})") from None
    if not header:
        raise InputError(f"{name}: empty file, no header")
    return header


def _read_csv(
    name: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
    path = Path(name).expanduser()
    # News articles can exceed csv's default field limit of 128 KiB.
    csv.field_size_limit(2**31 - 1)
    header = _csv_header(path, name)
    _check_columns(name, text_column, header)
    n_columns = len(header)
    number = 0  # data rows, for default ids
    with open(path, "rb") as f:
        lines = _CsvLines(f, name, on_error)
        reader = _csv_reader(lines)
        next(reader)
        while True:
            lines.taken = []
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                start = lines.row_start()
                _report(on_error, f"{name}:{start}: {_one_line(err)}; the row that starts there skipped")
                lines.resync()
                reader = _csv_reader(lines)
                continue
            if not cells:
                continue  # a blank line
            number += 1
            where = f"{name}:{lines.row_start()}"
            if len(cells) > n_columns:
                _report(on_error, f"{where}: {len(cells)} cells, the header has {n_columns}; skipped")
                continue
            row = dict(zip(header, cells + [""] * (n_columns - len(cells)), strict=True))
            if not row.get(text_column):
                _report(on_error, f"{where}: empty {text_column!r} cell; skipped")
                continue
            yield where, _row_article(row, text_column, id_column, f"{path.name}:{number}")


def _parquet_file(name: str, text_column: str) -> Any:
    """The opened ParquetFile, its schema checked; InputError if it cannot be used at all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(Path(name).expanduser())
    except (OSError, pa.ArrowException) as err:
        raise InputError(f"{name}: not a readable parquet file ({_one_line(err)})") from None
    schema = pf.schema_arrow
    _check_columns(name, text_column, schema.names)
    column_type = schema.field(text_column).type
    if not (pa.types.is_string(column_type) or pa.types.is_large_string(column_type)):
        raise InputError(f"{name}: column {text_column!r} holds {column_type}, not text")
    return pf


def _read_parquet(
    name: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
    """Rows row group by row group: a corrupt group costs its own rows (reported), not the file."""
    pf = _parquet_file(name, text_column)
    label = Path(name).name
    number = 0
    for group in range(pf.num_row_groups):
        size = pf.metadata.row_group(group).num_rows
        first, done = number, 0
        try:
            for batch in pf.iter_batches(batch_size=_PARQUET_BATCH, row_groups=[group]):
                rows = batch.to_pylist()
                yield from _rows_to_articles(rows, name, label, text_column, id_column, on_error, number + 1)
                number += len(rows)
                done += len(rows)
        except Exception as err:  # pyarrow raises OSError, ArrowException, UnicodeDecodeError
            lost = max(size - done, 1)
            _report(
                on_error,
                f"{name}: row group {group} (rows {first + 1}-{first + size}) cannot be read "
                f"({_one_line(err)}); {lost} row(s) skipped",
                lost=lost,
            )
            number = first + size


def _dataset_rows(dataset: Any, name: str, text_column: str) -> Iterator[dict[str, Any]]:
    """Rows of a Dataset or IterableDataset; failures while streaming become InputError."""
    _check_columns(name, text_column, getattr(dataset, "column_names", None))
    rows = iter(dataset)
    first = True
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as err:  # streaming can fail late (network, bad shard): a whole-input problem
            raise InputError(f"{name}: reading the dataset failed: {_one_line(err)}") from None
        if first:
            # A streamed dataset may not know its columns before the first row.
            _check_columns(name, text_column, list(row))
            first = False
        yield row


def _saved_dataset(name: str, split: str) -> Any:
    """The split of a save_to_disk folder; InputError if it cannot be loaded."""
    import datasets

    try:
        dataset = datasets.load_from_disk(str(Path(name).expanduser()))
    except Exception as err:  # datasets raises many kinds; all mean the folder cannot be read
        raise InputError(
            f"{name}: datasets could not load this save_to_disk folder: {_one_line(err)}"
        ) from None
    if isinstance(dataset, datasets.DatasetDict):
        if split not in dataset:
            splits = ", ".join(dataset)
            raise InputError(f"{name}: no split {split!r} (splits: {splits}); choose one with --split")
        dataset = dataset[split]
    return dataset


def _read_saved(
    name: str, split: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
    dataset = _saved_dataset(name, split)
    rows = _dataset_rows(dataset, name, text_column)
    label = Path(name).expanduser().resolve().name
    yield from _rows_to_articles(rows, name, label, text_column, id_column, on_error)


def _read_hub(
    name: str, split: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
    import datasets

    try:
        dataset = datasets.load_dataset(name, split=split, streaming=True)
    except Exception as err:  # datasets raises many kinds; all mean "cannot load"
        raise InputError(
            f"{name}: not a file or folder, and datasets could not load it: {_one_line(err)}"
        ) from None
    rows = _dataset_rows(dataset, name, text_column)
    yield from _rows_to_articles(rows, name, name, text_column, id_column, on_error)


# --------------------------------------------------------------------------- public readers


def _check_source(source: _Source, text_column: str, split: str) -> None:
    """Open a whole input far enough to know it can be read (header, columns, split), so a
    command can say so before any model loads. Raises InputError."""
    kind, name = source.kind, source.name
    if kind == "csv":
        _check_columns(name, text_column, _csv_header(Path(name).expanduser(), name))
    elif kind == "parquet":
        _parquet_file(name, text_column)
    elif kind == "folder":
        if not any(True for _ in _walk(Path(name).expanduser(), lambda *_: None)):
            raise InputError(
                f"{name}: the folder has no .txt or .md files, and is not a `datasets` save_to_disk folder"
            )
    elif kind == "saved":
        _saved_dataset(name, split)


def _count(source: _Source, split: str) -> int | None:
    """How many records an input holds, where that is cheap to know (a progress bar's total)."""
    path = Path(source.name).expanduser()
    if source.kind == "folder":
        return _folder_count(source.name)
    if source.kind == "text":
        return 1
    if source.kind == "jsonl":
        return sum(1 for _ in _jsonl_lines(path))
    if source.kind == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if source.kind == "saved":
        return len(_saved_dataset(source.name, split))
    return None


class Collection:
    """The inputs of one run, checked before any work is done: each whole input that cannot be
    read is reported once (or, in strict mode, raises InputError) and left out, so one bad file
    among many does not stop the run. Iterate it for the articles, in order."""

    def __init__(
        self,
        inputs: Sequence[str | Path],
        text_column: str = "text",
        id_column: str = "id",
        split: str = "train",
        on_error: ErrorHandler | None = None,
    ) -> None:
        self.text_column, self.id_column, self.split, self.on_error = text_column, id_column, split, on_error
        self.sources: list[_Source] = []
        self.rejected = 0
        for item in inputs:
            try:
                source = _resolve(item)
                _check_source(source, text_column, split)
            except InputError as err:
                if on_error is None:
                    raise
                self.rejected += 1
                _report(on_error, f"{err}; input skipped")
                continue
            self.sources.append(source)

    def total(self) -> int | None:
        """The number of records in all inputs, or None if some input cannot tell cheaply."""
        counts = [_count(source, self.split) for source in self.sources]
        return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)

    def __iter__(self) -> Iterator[Article]:
        return _iter_sources(self.sources, self.text_column, self.id_column, self.split, self.on_error)


def iter_articles(
    inputs: Sequence[str | Path],
    text_column: str = "text",
    id_column: str = "id",
    split: str = "train",
    on_error: Callable[..., None] | None = None,
) -> Iterator[Article]:
    """Stream the articles of every input, in order: folders, .txt/.md, .jsonl, .csv, .parquet, datasets.

    Local paths are checked at once; the rest is read lazily. A bad row or file is passed to
    ``on_error`` as one line and skipped, and so is a whole input that cannot be read (missing,
    unknown suffix, no text column); with ``on_error=None`` they raise RecordError or InputError
    instead (strict mode, for gold files). A repeated id is reported too, but the article is
    still yielded (in strict mode it raises). ``on_error`` may take a second argument, the number
    of records a report cost when it is not 1 (0 for a warning); ``Problems`` counts them.
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    return iter(Collection(inputs, text_column, id_column, split, on_error))


def read_source(
    source: _Source,
    text_column: str,
    id_column: str,
    split: str,
    on_error: ErrorHandler | None,
) -> Iterator[tuple[str, Article]]:
    """One checked input's (where, article) pairs, in order; a late failure of the whole input is
    one report. Repeated ids are the caller's to find (they can span inputs): `duplicate_id`."""
    name = source.name
    if source.kind == "folder":
        articles = _read_folder(name, on_error)
    elif source.kind == "text":
        articles = _read_single_text(name, on_error)
    elif source.kind == "jsonl":
        articles = _read_jsonl(name, text_column, id_column, on_error)
    elif source.kind == "csv":
        articles = _read_csv(name, text_column, id_column, on_error)
    elif source.kind == "parquet":
        articles = _read_parquet(name, text_column, id_column, on_error)
    elif source.kind == "saved":
        articles = _read_saved(name, split, text_column, id_column, on_error)
    else:
        articles = _read_hub(name, split, text_column, id_column, on_error)
    try:
        yield from articles
    except InputError as err:  # an input that fails late (a dataset stream): the others go on
        if on_error is None:
            raise
        _report(on_error, f"{err}; rest of this input skipped")


def duplicate_id(where: str, article_id: str) -> str:
    """The warning for an id seen before in the run (the article is kept)."""
    return f"{where}: duplicate id {article_id!r}; kept, but results with this id cannot be told apart"


def _iter_sources(
    sources: list[_Source],
    text_column: str,
    id_column: str,
    split: str,
    on_error: ErrorHandler | None,
) -> Iterator[Article]:
    # Only ids are kept across the run (for the duplicate check), never texts.
    seen: set[str] = set()
    for source in sources:
        for where, article in read_source(source, text_column, id_column, split, on_error):
            if article.id in seen:
                _report(on_error, duplicate_id(where, article.id), lost=0)
            else:
                seen.add(article.id)
            yield article


def read_records(path: str | Path) -> list[Article]:
    """Every record of a gold or prediction .jsonl file; the first bad line raises RecordError.

    Each line must be a valid record with an ``id`` and a ``text``; ids must be unique, since
    gold and predictions are matched by id. A missing file raises OSError.
    """
    articles: list[Article] = []
    seen: set[str] = set()
    for lineno, line in _jsonl_lines(Path(path)):
        where = f"{path}:{lineno}"
        if isinstance(line, UnicodeDecodeError):
            raise RecordError(f"{where}: not valid UTF-8 ({line.reason} at byte {line.start})")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise RecordError(f"{where}: {_json_error(err)}") from None
        if not isinstance(obj, dict):
            raise RecordError(f"{where}: a record must be a JSON object, not {type(obj).__name__}")
        raw_id = obj.get("id")
        if not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool) or raw_id == "":
            raise RecordError(f"{where}: the record has no 'id'")
        try:
            article = article_from_dict(obj)
        except RecordError as err:
            raise RecordError(f"{where}: {err}") from None
        if article.id in seen:
            raise RecordError(f"{where}: duplicate id {article.id!r}")
        seen.add(article.id)
        articles.append(article)
    return articles


# --------------------------------------------------------------------------- writers


def output_format(path: str | Path) -> str:
    """The output format named by a path's suffix: "jsonl", "csv" or "parquet"; InputError otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError(
            f"{path}: unknown output format {suffix or '(no suffix)'!r}; use {', '.join(OUTPUT_SUFFIXES)}"
        )
    return suffix[1:]


def _json_default(value: Any) -> Any:
    """JSON for meta values that pyarrow or datasets hand over (dates, numpy scalars)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _finite(value: Any) -> Any:
    """The value with NaN and ±Infinity (from input meta: pandas' missing values) as null, since
    JSON has no such numbers and strict readers refuse them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _finite(value.tolist())
    return value


def record_line(article: Article) -> str:
    """An article as one line of JSON (no newline), strict JSON even when its meta held NaN."""
    record = article.to_dict()
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False, default=_json_default)
    except ValueError:  # NaN or Infinity somewhere: rare, so only then walk the record
        return json.dumps(_finite(record), ensure_ascii=False, allow_nan=False, default=_json_default)


def _score(scores: dict[str, Any] | None, label: str) -> float | None:
    if not scores or scores.get(label) is None:
        return None
    try:
        return float(scores[label])
    except (TypeError, ValueError):
        return None


def table_rows(article: Article) -> Iterator[dict[str, Any]]:
    """The flat view of an article: one row per (quote, target); a quote without targets gives one row."""
    for index, quote in enumerate(article.quotes):
        base = {
            "id": article.id,
            "quote": index,
            "kind": quote.kind,
            "speaker": quote.speaker,
            "source": article.span_text(quote.source),
            "cue": article.span_text(quote.cue),
            "content": article.span_text(quote.content),
            "content_spans": json.dumps([list(s) for s in quote.content]),
            "confidence": quote.confidence,
        }
        if not quote.targets:
            yield {**base, **dict.fromkeys(_TARGET_COLUMNS)}
            continue
        for target in quote.targets:
            yield {
                **base,
                "target": target.name,
                "target_mentions": json.dumps([list(m) for m in target.mentions]),
                "stance": target.stance,
                **{f"score_{label}": _score(target.scores, label) for label in _SCORE_LABELS},
            }


META_PREFIX = "meta."


def _meta_cell(value: Any) -> str | None:
    """A meta value as one table cell: text as it is, anything else as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):  # dates from parquet or datasets: 2024-03-01, not "2024-03-01"
        return value.isoformat()
    return json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, default=_json_default)


def _meta_cells(article: Article) -> dict[str, str | None]:
    return {META_PREFIX + str(key): _meta_cell(value) for key, value in article.meta.items()}


@contextmanager
def replaced_atomically(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` for the block to write; renamed onto `path` when the block
    ends, removed if it fails, so a failed write leaves no half file (nor replaces an older one)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class ArticleWriter:
    """Writes articles to .jsonl (full records) or .csv/.parquet (one row per quote and target,
    then one ``meta.<field>`` column per meta field of the input).

    Use as a context manager. JSON Lines is written whole record by record and flushed after
    each, so a crash or ``kill -9`` keeps the finished work (``append=True`` continues such a
    file). A .csv/.parquet file appears only when the writer closes without error: rows go to a
    temporary file beside it first, then into the table, which is renamed into place, so a
    crash never leaves a half table (nor replaces an older one).
    """

    def __init__(self, path: str | Path, append: bool = False) -> None:
        self.path = Path(path)
        self.format = output_format(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._closed = False
        self._meta_keys: dict[str, None] = {}  # every meta column, in order of first appearance
        if self.format == "jsonl":
            self._file: TextIO = open(self.path, "a" if append else "w", encoding="utf-8", newline="\n")
        else:
            if append:
                raise OutputError(f"{self.path}: only .jsonl output can be continued (--resume)")
            fd, rows = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".rows", dir=self.path.parent)
            self._rows_path = Path(rows)
            self._file = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, article: Article) -> None:
        """Write one article (in .csv/.parquet, its rows; an article without quotes has none)."""
        if self._closed:
            raise ValueError(f"{self.path}: the writer is closed")
        if self.format == "jsonl":
            self._file.write(record_line(article) + "\n")
            self._file.flush()
        else:
            meta = _meta_cells(article)
            self._meta_keys.update(dict.fromkeys(meta))
            for row in table_rows(article):
                self._file.write(json.dumps({**row, **meta}, ensure_ascii=False) + "\n")

    def _rows(self) -> Iterator[dict[str, Any]]:
        with open(self._rows_path, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)

    def _finish_table(self) -> None:
        """Turn the row file into the .csv/.parquet file, through a temporary name."""
        columns = [*_TABLE_COLUMNS, *self._meta_keys]
        with replaced_atomically(self.path) as tmp:
            if self.format == "csv":
                with open(tmp, "w", encoding="utf-8", newline="") as f:
                    writer = csv.DictWriter(f, fieldnames=columns)
                    writer.writeheader()
                    writer.writerows(self._rows())
            else:
                self._write_parquet(tmp, columns)

    def _write_parquet(self, path: Path, columns: list[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        scores = {f"score_{label}": pa.float64() for label in _SCORE_LABELS}
        types = {"quote": pa.int64(), "confidence": pa.float64(), **scores}
        schema = pa.schema([pa.field(c, types.get(c, pa.string())) for c in columns])
        with pq.ParquetWriter(path, schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in self._rows():
                batch.append(row)
                if len(batch) >= _PARQUET_BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))

    def close(self, complete: bool = True) -> None:
        """Finish the file; closing twice is harmless. With ``complete=False`` (the run failed or
        was interrupted) a .csv/.parquet output is not made, and the older file, if any, stays."""
        if self._closed:
            return
        self._closed = True
        self._file.close()
        if self.format == "jsonl":
            return
        try:
            if complete:
                self._finish_table()
        finally:
            self._rows_path.unlink(missing_ok=True)

    def __enter__(self) -> ArticleWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # JSON Lines keeps the articles written so far; a table is only made from a whole run.
        self.close(complete=exc_type is None)


# --------------------------------------------------------------------------- output safety


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(
    path: str | Path,
    inputs: Sequence[str | Path] = (),
    resume: bool = False,
    overwrite: bool = False,
    suffixes: Sequence[str] = OUTPUT_SUFFIXES,
) -> None:
    """Refuse, with one line (OutputError), an output that cannot or must not be written, before any
    input is read or model loaded: an unknown suffix, a folder, a path under a file, a place that
    is not writable, one of the inputs, or an existing non-empty file without --resume or
    --overwrite (an earlier run's work is never replaced silently). ``suffixes``: the outputs
    allowed (records by default; ``stance export`` writes ``.json``)."""
    path = Path(path)
    if tuple(suffixes) == OUTPUT_SUFFIXES:
        try:
            output_format(path)
        except InputError as err:
            raise OutputError(str(err)) from None
    elif path.suffix.lower() not in suffixes:
        raise OutputError(
            f"{path}: unknown output format {path.suffix or '(no suffix)'!r}; use {', '.join(suffixes)}"
        )
    if resume and overwrite:
        raise OutputError("--resume and --overwrite exclude each other")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name ending in {', '.join(suffixes)}")
    for item in inputs:
        given = Path(item).expanduser()
        if _same_file(path, given) or path.resolve() == given.resolve():
            raise OutputError(f"{path}: is also an input; write the output elsewhere")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        raise OutputError(f"{path}: not writable (permission denied)")
    if path.exists() and not path.is_file():
        raise OutputError(f"{path}: exists and is not a regular file")
    if resume and path.suffix.lower() != ".jsonl":
        raise OutputError(
            f"{path}: --resume needs a .jsonl output (.csv and .parquet are written whole at the end)"
        )
    if path.exists() and path.stat().st_size > 0 and not (resume or overwrite):
        resumable = path.suffix.lower() == ".jsonl"
        raise OutputError(
            f"{path}: exists ({path.stat().st_size:,} bytes); "
            + ("pass --resume to continue it, or " if resumable else "pass ")
            + "--overwrite to replace it"
        )
    # Writable in principle is not writable in fact (/proc, a read-only mount): try it.
    if not path.exists():
        try:
            parent.joinpath(f".{path.name}.stance-check").touch()
            parent.joinpath(f".{path.name}.stance-check").unlink()
        except OSError as err:
            raise OutputError(f"{path}: cannot be written ({_one_line(err)})") from None


def resume_ids(path: str | Path) -> set[str]:
    """The ids of the complete records already in a .jsonl output, for --resume.

    A torn last line (a run killed mid-write) is cut off, so appending continues the file as
    one uninterrupted run would have written it; any other line that is not a record means the
    file is not stance output, and OutputError says so.
    """
    path = Path(path)
    if not path.exists():
        return set()
    ids: set[str] = set()
    good = 0  # bytes of complete records
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            if not raw.endswith(b"\n"):
                break  # torn: written without its newline
            try:
                obj = json.loads(raw)
                if not isinstance(obj, dict) or "id" not in obj or "text" not in obj:
                    raise ValueError("not a record")
            except ValueError:
                raise OutputError(
                    f"{path}:{lineno}: not a record written by stance; --resume cannot continue this file"
                ) from None
            ids.add(str(obj["id"]))
            good += len(raw)
    if good < path.stat().st_size:
        with open(path, "r+b") as f:
            f.truncate(good)
    return ids
