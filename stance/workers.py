"""The pipeline in several processes (`--workers N`), and what every engine's worker runs.

Each worker process loads the models once (`PipelineOptions.pipeline`) and takes chunks of
articles; the results come back in input order, with each problem still one line. At most
`2 × workers` chunks are in flight, so memory does not grow with the collection. The Ray engine
(`stance.ray_engine`) runs the same `run_chunk` in its actors.
"""

from __future__ import annotations

import json
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

from stance.defaults import DEFAULT_EXTRACTOR, DEFAULT_SPACY_MODEL
from stance.io import Problems
from stance.records import Article

# Articles a worker takes at once: the pipeline's own batch, so its forward passes stay as full
# as in one process.
CHUNK = 8


@dataclass(frozen=True)
class PipelineOptions:
    """What a worker needs to build the same pipeline as the command's (picklable: paths as str)."""

    targets: str | None = None
    stance: bool = True
    spacy_model: str = DEFAULT_SPACY_MODEL
    extractor: str = DEFAULT_EXTRACTOR
    tagger_model: str | None = None
    stance_model: str | None = None
    device: str = "auto"
    int8: bool = False
    min_confidence: float = 0.0

    def pipeline(self, targets=None):  # (TargetList | None) -> stance.Pipeline (imports spaCy)
        """The pipeline; `targets`, when given, is the target list already read from `self.targets`."""
        from stance.pipeline import Pipeline

        return Pipeline(**{**asdict(self), "targets": targets or self.targets})

    def check(self) -> None:
        """Raise ModelMissingError for a model that is not there, without loading any weights."""
        import spacy

        from stance.defaults import STANCE_CONFIG, TAGGER_CONFIG
        from stance.encoder import require_safetensors, resolve_encoder, shipped_model
        from stance.errors import ModelMissingError, StanceModelMissingError
        from stance.nlp import SPACY_PACKAGES

        if not (spacy.util.is_package(self.spacy_model) or Path(self.spacy_model).is_dir()):
            package = SPACY_PACKAGES.get(self.spacy_model, self.spacy_model)
            raise ModelMissingError(
                f"spaCy model {self.spacy_model!r} is not installed: run `pip install {package}` "
                "or pass another model with --spacy-model"
            )
        folders = []
        if self.extractor.startswith("tagger"):
            tagger = Path(self.tagger_model) if self.tagger_model else shipped_model("extractor")
            folders.append((tagger, TAGGER_CONFIG, "quote tagger"))
        if self.stance:
            classifier = Path(self.stance_model) if self.stance_model else shipped_model("stance")
            folders.append((classifier, STANCE_CONFIG, "stance classifier"))
        for folder, config_name, what in folders:
            config = folder / config_name
            if not config.is_file():
                error = StanceModelMissingError if what == "stance classifier" else ModelMissingError
                raise error(f"{folder}: no {what} here ({config_name} missing)")
            require_safetensors(folder, what)
            resolve_encoder(json.loads(config.read_text(encoding="utf-8"))["base_model"])


Report = tuple[str, int]  # (one line, records it cost)


def run_chunk(pipeline, articles: list[Article]) -> tuple[list[Article], list[Report]]:
    """The pipeline on a few articles: those it could process, and its one-line reports."""
    reports: list[Report] = []

    def on_error(message: str, lost: int = 1) -> None:
        reports.append((message, lost))

    return list(pipeline.pipe(articles, on_error=on_error)), reports


def cpu_count() -> int:
    """CPUs this process may use (a container's or a job's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


_pipeline = None  # one per worker process


def _start_worker(options: PipelineOptions, threads: int) -> None:
    import torch

    # The parent handles Ctrl-C (it stops the pool); a worker interrupted mid-chunk would only
    # print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(threads)
    global _pipeline
    _pipeline = options.pipeline()


def _work(articles: list[Article]) -> tuple[list[Article], list[Report]]:
    return run_chunk(_pipeline, articles)


def parallel_pipe(
    options: PipelineOptions,
    articles: Iterable[Article],
    problems: Problems,
    workers: int,
    chunk: int = CHUNK,
) -> Iterator[Article]:
    """The articles through `workers` processes, in input order; reports go to `problems`."""
    threads = max(1, cpu_count() // workers)
    # spawn, not fork: a forked copy of a process that has run torch's thread pools can hang.
    context = get_context("spawn")
    stream = iter(articles)
    pending: deque[Future] = deque()
    start = {"initializer": _start_worker, "initargs": (options, threads)}
    with ProcessPoolExecutor(workers, context, **start) as pool:
        try:
            while True:
                while len(pending) < 2 * workers and (part := list(islice(stream, chunk))):
                    pending.append(pool.submit(_work, part))
                if not pending:
                    return
                done, reports = pending.popleft().result()
                for message, lost in reports:
                    problems(message, lost)
                yield from done
        finally:
            for future in pending:
                future.cancel()
