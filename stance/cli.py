"""The `stance` command line: parses options and calls the library, nothing more."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from stance import evaluation
from stance.classify import fill_majority, label_priors, require_stance_model
from stance.evaluation import report as eval_report
from stance.io import ArticleWriter, InputError, iter_articles, output_format, read_records
from stance.nlp import DEFAULT_SPACY_MODEL, ModelMissingError
from stance.pipeline import Extractor
from stance.records import RecordError
from stance.report import quote_table
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


class _Errors:
    """One-line reports of articles that could not be processed; the batch goes on."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, message: str) -> None:
        self.count += 1
        tqdm.write(f"stance: {message}", file=sys.stderr)


@app.command(epilog="Example: stance extract examples/ -o out/examples.jsonl")
def extract(
    inputs: Inputs,
    output: Output,
    targets: TargetsOpt = None,
    text_column: TextColumn = "text",
    id_column: IdColumn = "id",
    split: Split = "train",
    spacy_model: SpacyModel = DEFAULT_SPACY_MODEL,
    extractor_name: Annotated[
        str,
        typer.Option(
            "--extractor", help="'rules', or 'sentences': the trivial baseline the rules are scored against."
        ),
    ] = "rules",
) -> None:
    """Find quotes, cues, sources, canonical speakers and organization targets (stance left null)."""
    try:
        output_format(output)
        target_list = TargetList.read(targets) if targets else None
        extractor = Extractor(spacy_model, target_list, extractor_name)
    except (InputError, ModelMissingError, ValueError) as err:
        raise _fail(str(err)) from None
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


@app.command(epilog="Example: stance label examples/ -o out/labelled.jsonl")
def label(
    inputs: Inputs,
    output: Output,
    targets: TargetsOpt = None,
    text_column: TextColumn = "text",
    id_column: IdColumn = "id",
    split: Split = "train",
    spacy_model: SpacyModel = DEFAULT_SPACY_MODEL,
) -> None:
    """Extraction, then the speaker's stance toward every target."""
    try:
        require_stance_model()
    except ModelMissingError as err:
        raise _fail(str(err)) from None


@app.command(epilog="Example: stance classify gold.jsonl -o out/classified.jsonl")
def classify(
    records: Annotated[Path, typer.Argument(help="Records (.jsonl) that already carry quotes and targets.")],
    output: Output,
) -> None:
    """The stance step alone, on records that already have quotes and targets (gold, say)."""
    try:
        require_stance_model()
    except ModelMissingError as err:
        raise _fail(str(err)) from None


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
