"""Checkpoints of a training run, so a stopped run continues where it was (`--resume`).

Both trainers (the quote tagger's and the stance classifier's) keep, after each dev evaluation,
the trainable weights and the optimizer's moments in safetensors and the counters, scores,
schedule and random states in JSON (never pickle), in ``<output>/checkpoint``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

CHECKPOINT = "checkpoint"  # under the output folder: where a stopped run continues from


def save_checkpoint(
    output: Path, params: list[torch.nn.Parameter], optimizer, schedule, state: dict
) -> None:
    """The run's state after a dev evaluation: trainable weights and the optimizer's moments in
    safetensors, counters, scores and random states in JSON; written whole, then moved in."""
    from safetensors.torch import save_file

    tensors = {}
    for i, p in enumerate(params):
        tensors[f"param.{i}"] = p.detach().cpu().contiguous()
        moments = optimizer.state.get(p, {})
        for key in ("exp_avg", "exp_avg_sq", "step"):
            if key in moments:
                tensors[f"{key}.{i}"] = torch.as_tensor(moments[key]).detach().cpu().contiguous()
    tensors["torch_rng"] = torch.get_rng_state()
    folder = output / CHECKPOINT
    tmp = output / f"{CHECKPOINT}.tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(tmp / "state.safetensors"))
    schedule_state = {k: v for k, v in schedule.state_dict().items() if k != "lr_lambdas"}
    (tmp / "state.json").write_text(json.dumps({**state, "schedule": schedule_state}), encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)


def load_checkpoint(output: Path, params: list[torch.nn.Parameter], optimizer, schedule) -> dict:
    from safetensors.torch import load_file

    folder = output / CHECKPOINT
    tensors = load_file(str(folder / "state.safetensors"))
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    with torch.no_grad():
        for i, p in enumerate(params):
            p.copy_(tensors[f"param.{i}"])
            if f"exp_avg.{i}" in tensors:
                optimizer.state[p] = {
                    "step": tensors[f"step.{i}"],
                    "exp_avg": tensors[f"exp_avg.{i}"].to(p.device),
                    "exp_avg_sq": tensors[f"exp_avg_sq.{i}"].to(p.device),
                }
    schedule.load_state_dict({**state.pop("schedule"), "lr_lambdas": [None] * len(optimizer.param_groups)})
    for group, lr in zip(optimizer.param_groups, schedule.get_last_lr(), strict=True):
        group["lr"] = lr  # the schedule sets it only at its next step
    torch.set_rng_state(tensors["torch_rng"])
    return state

def python_random_state(value):
    """random.getstate() after a JSON round trip: its lists back into tuples."""
    return tuple(python_random_state(v) for v in value) if isinstance(value, list) else value


def resume_run(output: Path, fingerprint: str, params: list[torch.nn.Parameter], optimizer, schedule) -> dict:
    """Load the run's checkpoint into the model, optimizer and schedule and return its state;
    ValueError when there is none, or when it is of another command or other data."""
    if not (output / CHECKPOINT / "state.json").exists():
        raise ValueError(f"{output}: no checkpoint to resume from")
    state = load_checkpoint(output, params, optimizer, schedule)
    if state["fingerprint"] != fingerprint:
        raise ValueError(f"{output}: the checkpoint is of another command or other data")
    return state
