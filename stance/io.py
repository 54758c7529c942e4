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
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

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
    "target",
    "target_mentions",
    "stance",
    "score_critical",
    "score_supportive",
    "score_neutral",
)
_TARGET_COLUMNS = _TABLE_COLUMNS[8:]  # empty for a quote without targets
_SCORE_LABELS = ("critical", "supportive", "neutral")
_PARQUET_BATCH = 1000


class InputError(ValueError):
    """A whole input that cannot be read: missing path, unknown format, missing column."""


def _one_line(err: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message, shortened, so InputError stays one line."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _report(on_error: ErrorHandler | None, message: str) -> None:
    """Report a problem with one row or file; in strict mode (no handler) it is fatal."""
    if on_error is None:
        raise RecordError(message)
    on_error(message)


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


def _resolve(item: str | Path) -> _Source:
    """Decide how to read one input; local-path mistakes raise here, before any work is done."""
    name = str(item)
    path = Path(item).expanduser()
    if path.is_dir():
        return _Source("saved" if _is_saved_dataset(path) else "folder", name)
    if path.exists():
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            return _Source("text", name)
        if suffix in INPUT_SUFFIXES:
            return _Source(suffix[1:], name)
        raise InputError(
            f"{name}: unsupported file type {suffix or '(no suffix)'!r}; "
            f"supported: {', '.join(INPUT_SUFFIXES)}, a folder, or a `datasets` dataset"
        )
    if isinstance(item, Path) or _looks_like_path(name):
        raise InputError(f"{name}: no such file" if path.suffix else f"{name}: no such file or folder")
    return _Source("hub", name)


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
) -> Iterator[tuple[str, Article]]:
    """Articles from tabular rows (csv, parquet, datasets); ids default to '<label>:<row>', 1-based."""
    for number, row in enumerate(rows, start=1):
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


def _walk(folder: Path) -> Iterator[Path]:
    """Every .txt/.md file under folder, in sorted path order, lazily.

    Hidden files and folders (.git, .ipynb_checkpoints) are skipped, and folder links are not
    followed, so a link cycle cannot loop forever.
    """
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file() and Path(entry.name).suffix.lower() in TEXT_SUFFIXES:
            yield Path(entry.path)


def _read_folder(name: str, on_error: ErrorHandler | None) -> Iterator[tuple[str, Article]]:
    root = Path(name).expanduser()
    found = False
    for path in _walk(root):
        found = True
        try:
            text = _read_text_file(path)
        except UnicodeDecodeError as err:
            _report(on_error, f"{path}: not valid UTF-8 ({err.reason} at byte {err.start}); skipped")
            continue
        except OSError as err:
            _report(on_error, f"{path}: cannot be read ({_one_line(err)}); skipped")
            continue
        yield str(path), Article(id=path.relative_to(root).as_posix(), text=text)
    if not found:
        raise InputError(
            f"{name}: the folder has no .txt or .md files, and is not a `datasets` save_to_disk folder"
        )


def _read_single_text(name: str, on_error: ErrorHandler | None) -> Iterator[tuple[str, Article]]:
    path = Path(name).expanduser()
    try:
        text = _read_text_file(path)
    except UnicodeDecodeError as err:
        _report(on_error, f"{name}: not valid UTF-8 ({err.reason} at byte {err.start}); skipped")
        return
    yield name, Article(id=path.name, text=text)


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


def _jsonl_article(line: str, text_column: str, id_column: str, default_id: str) -> Article:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise RecordError(f"invalid JSON ({err.msg} at column {err.colno})") from None
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
            article = _jsonl_article(line, text_column, id_column, f"{path.name}:{lineno}")
        except RecordError as err:
            _report(on_error, f"{where}: {err}")
            continue
        yield where, article


def _read_csv(
    name: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
    path = Path(name).expanduser()
    # News articles can exceed csv's default field limit of 128 KiB.
    csv.field_size_limit(2**31 - 1)
    # utf-8-sig: the same as utf-8, but drops the byte-order mark spreadsheets put first.
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        try:
            header = reader.fieldnames
        except (UnicodeDecodeError, csv.Error) as err:
            raise InputError(f"{name}: cannot read the header ({_one_line(err)})") from None
        _check_columns(name, text_column, header or [])
        n_columns = len(header or [])
        number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as err:
                # The reader cannot resynchronise after a broken row: the rest of the file is lost.
                _report(on_error, f"{name}: after row {number}: {_one_line(err)}; rest of the file skipped")
                return
            number += 1
            where = f"{name}: row {number}"
            if None in row:  # DictReader files surplus cells under the key None
                _report(on_error, f"{where}: {n_columns + len(row[None])} cells, the header has {n_columns}")
                continue
            if not row.get(text_column):
                _report(on_error, f"{where}: empty {text_column!r} cell")
                continue
            yield where, _row_article(row, text_column, id_column, f"{path.name}:{number}")


def _parquet_rows(name: str, text_column: str) -> Iterator[dict[str, Any]]:
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
    for batch in pf.iter_batches(batch_size=_PARQUET_BATCH):
        yield from batch.to_pylist()


def _read_parquet(
    name: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
    rows = _parquet_rows(name, text_column)
    yield from _rows_to_articles(rows, name, Path(name).name, text_column, id_column, on_error)


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


def _read_saved(
    name: str, split: str, text_column: str, id_column: str, on_error: ErrorHandler | None
) -> Iterator[tuple[str, Article]]:
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


def iter_articles(
    inputs: Sequence[str | Path],
    text_column: str = "text",
    id_column: str = "id",
    split: str = "train",
    on_error: Callable[[str], None] | None = None,
) -> Iterator[Article]:
    """Stream the articles of every input, in order: folders, .txt/.md, .jsonl, .csv, .parquet, datasets.

    Local paths are checked at once (InputError for a missing path or an unknown suffix); the
    rest is read lazily. A bad row or file is passed to ``on_error`` as one line and skipped;
    with ``on_error=None`` it raises RecordError instead (strict mode, for gold files). A
    repeated id is reported too, but the article is still yielded (in strict mode it raises).
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    sources = [_resolve(item) for item in inputs]
    return _iter_sources(sources, text_column, id_column, split, on_error)


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
        for where, article in articles:
            if article.id in seen:
                _report(
                    on_error,
                    f"{where}: duplicate id {article.id!r}; kept, but results with this id cannot be "
                    "told apart",
                )
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
            raise RecordError(f"{where}: invalid JSON ({err.msg} at column {err.colno})") from None
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


class ArticleWriter:
    """Writes articles to .jsonl (full records) or .csv/.parquet (one row per quote and target).

    Use as a context manager. JSON Lines is flushed after every article so a crash keeps the
    finished work; a parquet file is only valid once closed.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = output_format(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO | None = None
        self._csv: Any = None
        self._parquet: Any = None
        self._schema: Any = None
        self._buffer: list[dict[str, Any]] = []
        self._closed = False
        if self.format == "jsonl":
            self._file = open(self.path, "w", encoding="utf-8", newline="\n")
        elif self.format == "csv":
            self._file = open(self.path, "w", encoding="utf-8", newline="")
            self._csv = csv.DictWriter(self._file, fieldnames=_TABLE_COLUMNS)
            self._csv.writeheader()
            self._file.flush()
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            types = {"quote": pa.int64(), **{f"score_{label}": pa.float64() for label in _SCORE_LABELS}}
            self._schema = pa.schema([pa.field(c, types.get(c, pa.string())) for c in _TABLE_COLUMNS])
            # Opened now, so even a run with no rows leaves a valid file with the schema.
            self._parquet = pq.ParquetWriter(self.path, self._schema)

    def write(self, article: Article) -> None:
        """Write one article (in .csv/.parquet, its rows; an article without quotes has none)."""
        if self._closed:
            raise ValueError(f"{self.path}: the writer is closed")
        if self.format == "jsonl":
            assert self._file is not None
            line = json.dumps(article.to_dict(), ensure_ascii=False, default=_json_default)
            self._file.write(line + "\n")
            self._file.flush()
        elif self.format == "csv":
            assert self._file is not None
            self._csv.writerows(table_rows(article))
            self._file.flush()
        else:
            self._buffer.extend(table_rows(article))
            if len(self._buffer) >= _PARQUET_BATCH:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa

        if self._buffer:
            self._parquet.write_table(pa.Table.from_pylist(self._buffer, schema=self._schema))
            self._buffer = []

    def close(self) -> None:
        """Finish the file; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._parquet is not None:
            try:
                self._flush_parquet()
            finally:
                self._parquet.close()
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> ArticleWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        # Closed on errors too, so the articles written so far are kept.
        self.close()
