"""`--engine ray`: the pipeline on a Ray cluster, or on a Ray instance started for the run.

Ray Data reads the collection (`CollectionDatasource`: one read task per input, reading it with
the project's own readers, so every format and every one-line problem is the local engine's);
`map_batches` runs the pipeline in a pool of actors that load the models once each
(`PipelineActor`, running the same `run_chunk` as `--workers`); the driver takes the results
back in input order and hands them to the command's writer, so `--resume`, the counts, the
closing line and Ctrl-C are the local engine's.

A row is one chunk: the next `CHUNK` articles of an input (the batch the local engine would
give the pipeline), with the read problems and the articles already done (`--resume`) that lie
between them, pickled. One chunk is one block, so any actor can take any chunk. Ray is imported
only when a run starts (`pip install 'stance[ray]'`).
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import os
import pickle
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from stance.io import Collection, Problems, _Source, duplicate_id, printable, read_source
from stance.records import Article
from stance.workers import CHUNK, PipelineOptions, cpu_count, run_chunk

if TYPE_CHECKING:
    import pyarrow as pa

    from stance.progress import Progress
    from stance.targets import TargetList

# The object store of a Ray instance started for one run: chunks are small and pass through it
# one by one, so a few hundred MB is plenty and leaves the memory to the models.
OBJECT_STORE_BYTES = 256 * 2**20
# Read tasks at once: reading is far faster than the pipeline, and each task is a process.
READ_TASKS = 2

# What a chunk holds, in input order, as (kind, a, b):
#   ("article", where, Article)  to process       ("skip", where, id)   already in the output
#   ("problem", message, lost)   a read problem
# What the actors give back for it:
#   ("read", where, id) for each article, then ("skip", …) and ("problem", …) where they were,
#   ("report", message, lost) for the pipeline's problems, ("record", Article, None) for the results.
Item = tuple[str, Any, Any]


def _chunk_table(items: list[Item]) -> pa.Table:
    import pyarrow as pa

    return pa.table({"items": pa.array([pickle.dumps(items)], pa.large_binary())})


class _ChunkItems(Problems):
    """Read problems as items of the chunk being filled, in their place among the articles (a
    Problems, so that the readers pass on how many records each report cost)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Item] = []

    def __call__(self, message: str, lost: int = 1) -> None:
        self.items.append(("problem", printable(message), lost))


def read_chunks(
    source: _Source,
    text_column: str,
    id_column: str,
    split: str,
    skip: Any,  # an ObjectRef of the set of ids already done
    batch_chars: int,
) -> Iterator[pa.Table]:
    """One input as chunks (a Ray Data read task); a chunk ends where the local engine's batch
    would (CHUNK articles, or the pipeline's `BATCH_CHARS`), so each is one pipeline batch."""
    import ray

    done: set[str] = ray.get(skip)
    chunk = _ChunkItems()
    articles = chars = 0
    for where, article in read_source(source, text_column, id_column, split, chunk):
        if article.id in done:
            chunk.items.append(("skip", where, article.id))
            continue
        chunk.items.append(("article", where, article))
        articles += 1
        chars += len(article.text)
        if articles >= CHUNK or chars >= batch_chars:
            yield _chunk_table(chunk.items)
            chunk.items, articles, chars = [], 0, 0
    if chunk.items:
        yield _chunk_table(chunk.items)


def _datasource_class() -> type:
    """`CollectionDatasource`, made on first use: its base class is Ray's."""
    from ray.data import Datasource, ReadTask
    from ray.data.block import BlockMetadata

    # What this Ray's ReadTask and BlockMetadata take (2.60 added and dropped some fields).
    task_args = inspect.signature(ReadTask.__init__).parameters
    unknown = BlockMetadata(**{f.name: None for f in dataclasses.fields(BlockMetadata) if f.init})

    class CollectionDatasource(Datasource):
        """A checked `Collection` for Ray Data: one read task per input, in order."""

        def __init__(self, collection: Collection, skip: Any, batch_chars: int) -> None:
            super().__init__()
            self.sources = list(collection.sources)
            self.columns = (collection.text_column, collection.id_column, collection.split)
            self.skip, self.batch_chars = skip, batch_chars

        def estimate_inmemory_data_size(self) -> int | None:
            return None  # unknown without reading; a guess would make Ray split the blocks

        def get_read_tasks(
            self, parallelism: int, per_task_row_limit: int | None = None, data_context: Any = None
        ) -> list[ReadTask]:
            import pyarrow as pa

            extra: dict[str, Any] = {}
            if "schema" in task_args:
                extra["schema"] = pa.schema([("items", pa.large_binary())])
            if "per_task_row_limit" in task_args:
                extra["per_task_row_limit"] = per_task_row_limit

            def task(source: _Source) -> ReadTask:
                def read() -> Iterator[pa.Table]:
                    return read_chunks(source, *self.columns, self.skip, self.batch_chars)

                return ReadTask(read, unknown, **extra)

            return [task(source) for source in self.sources]

    return CollectionDatasource


@contextmanager
def _data_context() -> Iterator[None]:
    """Ray Data's settings for this run (process-wide), restored after it."""
    from ray.data import DataContext

    context = DataContext.get_current()
    settings = {
        "enable_progress_bars": False,  # the command has its own
        "print_on_execution_start": False,
        "target_max_block_size": 1,  # every chunk a block of its own, for any actor to take
    }
    saved = {name: getattr(context, name) for name in settings}
    saved_order = context.execution_options.preserve_order
    try:
        for name, value in settings.items():
            setattr(context, name, value)
        context.execution_options.preserve_order = True  # results come back in input order
        yield
    finally:
        for name, value in saved.items():
            setattr(context, name, value)
        context.execution_options.preserve_order = saved_order


class PipelineActor:
    """One actor of the pool: the models load once, then `run_chunk` on each chunk it is given."""

    def __init__(self, options: PipelineOptions, targets: TargetList | None, threads: int) -> None:
        self.pipeline = options.pipeline(targets)
        if "torch" in sys.modules:  # the rules alone never import it
            sys.modules["torch"].set_num_threads(threads)

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pyarrow as pa

        out = []
        for blob in batch.column("items").to_pylist():
            items: list[Item] = pickle.loads(blob)
            articles = [a for kind, _, a in items if kind == "article"]
            done, reports = run_chunk(self.pipeline, articles) if articles else ([], [])
            # The articles' places keep their ids (for the driver's count and duplicate check).
            back = [(kind, w, a) if kind != "article" else ("read", w, a.id) for kind, w, a in items]
            back += [("report", message, lost) for message, lost in reports]
            back += [("record", article, None) for article in done]
            out.append(pickle.dumps(back))
        return pa.table({"items": pa.array(out, pa.large_binary())})


def _reachable(address: str, timeout: float = 10.0) -> None:
    """Raise ConnectionError at once if nothing listens at a HOST:PORT address: `ray.init` would
    retry for minutes. Other forms ("auto", ray://…) are left to Ray."""
    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise ConnectionError(f"nothing answers there ({err.strerror or err})") from None


class RayEngine:
    """The Ray engine of `stance extract` and `stance label`, as `stance.cli._run` drives it."""

    def __init__(
        self,
        options: PipelineOptions,
        targets: TargetList | None = None,
        workers: int | None = None,
        address: str | None = None,
        verbose: bool = False,
    ) -> None:
        self.options, self.targets, self.workers = options, targets, workers
        self.address, self.verbose = address, verbose
        self.started = False  # whether this run connected to Ray (and so disconnects or stops it)

    def start(self) -> None:
        """Connect to the cluster at `address`, or start a local instance sized to this process's
        CPUs; then size the actor pool. Raises OSError or ValueError, in one line."""
        import ray

        level = logging.INFO if self.verbose else logging.ERROR
        if not self.verbose:  # Ray Data sets its loggers' level from this whenever it configures them
            os.environ.setdefault("RAY_DATA_LOG_LEVEL", "ERROR")
        if not ray.is_initialized():  # a caller that runs Ray already keeps its own
            quiet = {"include_dashboard": False, "logging_level": level, "log_to_driver": self.verbose}
            try:
                if self.address:
                    _reachable(self.address)
                    ray.init(address=self.address, **quiet)
                else:
                    # "local": a new instance, never a cluster someone else started on this host.
                    ray.init(
                        address="local", num_cpus=cpu_count(), object_store_memory=OBJECT_STORE_BYTES,
                        _node_ip_address="127.0.0.1", **quiet,
                    )  # fmt: skip
            except Exception as err:  # Ray raises ConnectionError, RuntimeError, ValueError …
                where = f"reach Ray at {self.address}" if self.address else "start Ray on this machine"
                first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                if self.address and "RAY_AUTH_MODE" not in os.environ and "answers" not in first:
                    # Ray turns token authentication on only for clusters it finds itself.
                    first += " (a cluster with token authentication needs RAY_AUTH_MODE=token here too)"
                raise ConnectionError(f"--engine ray: cannot {where}: {first}") from None
            self.started = True
        import ray.data  # its logging is set up on import; older Rays do not read RAY_DATA_LOG_LEVEL

        logging.getLogger("ray.data").setLevel(level)
        self._size_pool(ray.cluster_resources(), [n["Resources"] for n in ray.nodes() if n["Alive"]])

    def _size_pool(self, cluster: dict[str, float], nodes: list[dict[str, float]]) -> None:
        """Actors, and the CPUs and GPU share of each: by default one actor per 2 CPUs; an actor
        never asks for more CPUs than the largest node has, or it could not be placed."""
        cpus = int(cluster.get("CPU", 1))
        self.actors = self.workers or max(1, cpus // 2)
        largest = max((int(n.get("CPU", 0)) for n in nodes), default=cpus) or 1
        self.actor_cpus: float = min(max(1, cpus // self.actors), largest)
        if self.actors > cpus:  # more actors than CPUs: they share
            self.actor_cpus = cpus / self.actors
        gpus = cluster.get("GPU", 0)
        if self.options.device == "cuda" and not gpus:
            raise ValueError("--device cuda: the Ray cluster has no GPU")
        use_gpu = gpus > 0 and self.options.device != "cpu"
        self.actor_gpus = min(1.0, gpus / self.actors) if use_gpu else 0.0
        # The actors' device is decided here, where the cluster's GPUs are known.
        self.actor_options = dataclasses.replace(self.options, device="cuda" if use_gpu else "cpu")

    def _dataset(self, collection: Collection, skip: set[str]) -> Any:
        """The chunks read and run through the actor pool (call inside `_data_context`)."""
        import ray
        from ray.data import ActorPoolStrategy

        from stance.pipeline import BATCH_CHARS

        source = _datasource_class()(collection, ray.put(skip), BATCH_CHARS)
        n_inputs = max(1, len(collection.sources))
        readers = min(READ_TASKS, n_inputs)
        # Reading is light: no CPUs of its own (they are the actors'), so it never waits for one.
        if "compute" in inspect.signature(ray.data.read_datasource).parameters:  # Ray >= 2.5x
            from ray.data import TaskPoolStrategy

            read_args: dict[str, Any] = {"compute": TaskPoolStrategy(size=readers), "num_cpus": 0}
        else:
            read_args = {"concurrency": readers, "ray_remote_args": {"num_cpus": 0}}
        # One read task per input, its blocks left as they are (Ray would split them otherwise).
        chunks = ray.data.read_datasource(source, override_num_blocks=n_inputs, **read_args)
        return chunks.map_batches(
            PipelineActor,
            fn_constructor_args=(self.actor_options, self.targets, max(1, int(self.actor_cpus))),
            batch_size=None,  # a block (one chunk) at a time
            batch_format="pyarrow",
            # Ray Data's default fault tolerance (a lost actor is restarted, its chunk retried)
            # makes Ray 2.60 log one harmless line per actor (ray-project/ray#53727).
            compute=ActorPoolStrategy(size=self.actors),
            num_cpus=self.actor_cpus,
            num_gpus=self.actor_gpus or None,
        )

    def _results(self, collection: Collection, skip: set[str]) -> Iterator[bytes]:
        """Each chunk's items as the actors gave them back, pickled, in input order."""
        for batch in self._dataset(collection, skip).iter_batches(batch_size=None, batch_format="pyarrow"):
            yield from batch.column("items").to_pylist()

    def run_collection(
        self,
        collection: Collection,
        skip: set[str],
        counter: list[int],
        progress: Progress,
        problems: Problems,
    ) -> Iterator[Article]:
        """The processed articles in input order, counting as the local engine does: counter[0]
        articles read, counter[1] of them skipped as done; read problems and repeated ids go to
        the collection's `on_error`, the pipeline's to `problems`."""
        import ray

        read_problems = collection.on_error
        assert isinstance(read_problems, Problems)
        seen: set[str] = set()
        try:
            with _data_context():
                for blob in self._results(collection, skip):
                    for kind, a, b in pickle.loads(blob):
                        if kind in ("read", "skip"):
                            counter[0] += 1
                            if b in seen:
                                read_problems(duplicate_id(a, b), lost=0)
                            else:
                                seen.add(b)
                            if kind == "skip":
                                counter[1] += 1
                                progress.update()
                        elif kind == "problem":
                            read_problems(a, b)
                        elif kind == "report":
                            problems(a, b)
                        else:
                            yield a
        finally:
            if self.started:  # only what this run started or connected: a cluster itself stays up
                ray.shutdown()
                self.started = False
