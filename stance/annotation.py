"""The annotation loop behind ``stance export``, ``stance import`` and ``stance select``.

Each function checks its output before it reads anything, reads the input one record at a time,
reports every record it cannot use in one line through ``problems`` (and counts it), and returns
the counts a command's closing line gives: records in = records out + records reported.
See ``docs/annotation.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stance.formats import FORMATS, brat, label_studio
from stance.io import (
    ArticleWriter,
    Collection,
    InputError,
    Problems,
    check_output,
    printable,
    read_records,
)
from stance.records import Article, Quote, RecordError
from stance.selection import STRATEGIES, Summary, batch, pair_key, pairs, select, summary


@dataclass
class Counts:
    """How many records a run read (reported ones included), wrote, and the quotes written."""

    read: int = 0
    written: int = 0
    quotes: int = 0
    scores_dropped: int = 0  # brat export: targets whose stance scores stay behind


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _counted(articles: Iterator[Article], counts: Counts) -> Iterator[Article]:
    for article in articles:
        counts.read += 1
        yield article


def _organization_names(targets: Path | None) -> list[str]:
    if targets is None:
        return []
    from stance.targets import TargetList  # imports spaCy: only when a list is given

    try:
        return list(TargetList.read(targets).entries)
    except (OSError, ValueError) as err:
        raise InputError(f"{targets}: {err}") from None


def export(
    inputs: Sequence[str | Path],
    output: Path,
    fmt: str,
    problems: Problems,
    *,
    as_annotations: bool = False,
    targets: Path | None = None,
    model_version: str = "stance",
    overwrite: bool = False,
) -> Counts:
    """Records (any input ``stance`` reads) to Label Studio tasks (a ``.json`` file) or to a brat
    folder. Raises OutputError or InputError before anything is read or written."""
    _check_format(fmt)
    if fmt == "label-studio":
        check_output(output, list(inputs), overwrite=overwrite, suffixes=(".json",))
    else:
        if as_annotations:
            raise InputError("--as-annotations is for Label Studio; brat files hold no predictions")
        brat.check_folder_output(output, inputs, overwrite=overwrite)
    names = _organization_names(targets) if fmt == "label-studio" else []
    collection = Collection(list(inputs), on_error=problems)
    if not collection.sources:
        raise InputError("no input can be read (see above); nothing written")
    counts = Counts()
    articles = _counted(iter(collection), counts)
    # What writing leaves out is counted apart from what reading does: those articles were read.
    writing = Problems(problems.echo)

    def warn(message: str) -> None:
        writing(message, lost=0)

    if fmt == "brat":
        written = brat.write_folder(articles, output, writing)
        counts.written, counts.quotes = written.articles, written.quotes
        counts.scores_dropped = written.scores_dropped
    else:

        def tasks() -> Iterator[dict]:
            for article in articles:
                counts.quotes += len(article.quotes)
                yield label_studio.task(
                    article,
                    as_annotations=as_annotations,
                    organizations=names,
                    model_version=model_version,
                    warn=warn,
                )

        counts.written = label_studio.write_tasks(tasks(), output)
    counts.read += problems.lost  # records that could not even be read were never counted above
    problems.messages.extend(writing.messages)
    problems.lost += writing.lost
    problems.warnings += writing.warnings
    return counts


def guess_format(source: Path) -> str:
    """The format of an import source: a folder is brat, a file Label Studio's JSON export."""
    return "brat" if source.is_dir() else "label-studio"


def import_(
    source: Path,
    output: Path,
    fmt: str | None,
    problems: Problems,
    *,
    predictions: bool = False,
    overwrite: bool = False,
) -> Counts:
    """A Label Studio JSON export (each task's most recent completed annotation, or with
    ``predictions`` its prediction) or a brat folder, to records. Raises OutputError or
    InputError before anything is written."""
    fmt = fmt or guess_format(source)
    _check_format(fmt)
    check_output(output, [source], overwrite=overwrite)
    if fmt == "brat":
        if not source.is_dir():
            raise InputError(
                f"{printable(str(source))}: not a folder; brat input is a folder of .txt/.ann files"
            )
        if predictions:
            raise InputError("--predictions is for Label Studio exports; brat files hold one annotation")
        if brat.count_documents(source) == 0:
            raise InputError(f"{printable(str(source))}: no .txt documents in this folder")
        articles = brat.read_folder(source, problems)
    else:
        if source.is_dir():
            raise InputError(f"{printable(str(source))}: is a folder; a Label Studio export is a .json file")
        articles = label_studio.read_tasks(source, predictions, problems)
        articles = _peek(articles)  # the export is read (and may be refused) before the output opens
    counts = Counts()
    with ArticleWriter(output) as writer:
        for article in articles:
            writer.write(article)
            counts.written += 1
            counts.quotes += len(article.quotes)
    counts.read = counts.written + problems.lost
    return counts


def _peek(articles: Iterator[Article]) -> Iterator[Article]:
    """The same articles, with the first one (and so the file's own checks) read at once."""
    first = next(articles, None)

    def rest() -> Iterator[Article]:
        if first is not None:
            yield first
            yield from articles

    return rest()


@dataclass
class Selection:
    counts: Counts
    candidates: int  # pairs that could be chosen
    unscored: int  # pairs without stance scores (only random takes them)
    excluded: int  # pairs left out because an --exclude file holds them
    chosen: Summary


def select_batch(
    records: Path,
    output: Path,
    n: int,
    problems: Problems,
    *,
    strategy: str = "diverse",
    seed: int = 0,
    exclude: Sequence[Path] = (),
    overwrite: bool = False,
) -> Selection:
    """Choose ``n`` (quote, organization) pairs to label next and write them as records; see
    ``stance.selection``. Raises OutputError, InputError or ValueError before anything is read or written."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
    check_output(output, [records, *exclude], overwrite=overwrite)
    if n < 1:
        raise ValueError(f"--n must be at least 1, not {n}")
    done: set[tuple] = set()
    for path in exclude:
        try:
            for article in read_records(path):
                done.update(pair_key(article.id, q, t.name) for q in article.quotes for t in q.targets)
        except (OSError, RecordError) as err:
            raise InputError(f"--exclude {err}") from None
    collection = Collection([records], on_error=problems)
    if not collection.sources:
        raise InputError("the input cannot be read (see above); nothing written")
    articles = list(collection)
    candidates, excluded = pairs(articles, done)
    if strategy != "random" and not any(p.uncertainty is not None for p in candidates):
        raise ValueError(
            f"{records}: no pair has stance scores to rank by uncertainty; label the records with "
            "`stance label` or `stance classify` first, or use --strategy random"
        )
    chosen = select(candidates, n, strategy, seed)
    chosen_articles = batch(articles, chosen)
    with ArticleWriter(output) as writer:
        for article in chosen_articles:
            writer.write(article)
    counts = Counts(read=len(articles) + problems.lost, written=len(chosen_articles), quotes=0)
    counts.quotes = sum(len(a.quotes) for a in chosen_articles)
    unscored = sum(1 for p in candidates if p.uncertainty is None)
    return Selection(counts, len(candidates), unscored, excluded, summary(chosen))


@dataclass
class Corrections:
    """What ``--extra-labels`` files changed in a training set."""

    pairs: int  # labelled pairs the files hold
    replaced: int  # training pairs they replace (same article, quote content and organization)


def with_corrections(
    train_sets: dict[str, list[Article]],
    extra_sets: dict[str, list[Article]],
    dev: list[Article],
) -> tuple[dict[str, list[Article]], Corrections]:
    """The training sets with the corrected pairs of ``extra_sets`` in place of the pairs they
    relabel (a correction wins over the label it corrects), the extra sets added after them.
    Raises ValueError when a corrected article is in dev: training on it would score the model on
    what it was trained on."""
    dev_ids = {article.id for article in dev}
    keys: set[tuple] = set()
    labelled = 0
    for name, articles in extra_sets.items():
        if name in train_sets:
            raise ValueError(f"{name} is given both as --train and as --extra-labels")
        leaked = sorted({a.id for a in articles} & dev_ids)
        if leaked:
            shown = ", ".join(leaked[:3]) + (" …" if len(leaked) > 3 else "")
            raise ValueError(f"{name}: {len(leaked)} of its articles are in the dev set ({shown})")
        for article in articles:
            for quote in article.quotes:
                for target in quote.targets:
                    if target.stance is not None:
                        keys.add(pair_key(article.id, quote, target.name))
                        labelled += 1
    replaced = 0
    out: dict[str, list[Article]] = {}
    for name, articles in train_sets.items():
        kept_articles = []
        for article in articles:
            quotes = []
            for quote in article.quotes:
                kept = [t for t in quote.targets if pair_key(article.id, quote, t.name) not in keys]
                replaced += sum(1 for t in quote.targets if t.stance is not None) - sum(
                    1 for t in kept if t.stance is not None
                )
                quotes.append(Quote(quote.content, quote.cue, quote.source, quote.speaker, quote.kind, kept))
            kept_articles.append(Article(article.id, article.text, article.meta, quotes))
        out[name] = kept_articles
    out.update(extra_sets)
    return out, Corrections(labelled, replaced)
