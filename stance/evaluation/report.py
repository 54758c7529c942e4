"""Evaluation results as flat JSON keys and as a Markdown report."""

from __future__ import annotations

from stance.evaluation import Evaluation
from stance.evaluation.bootstrap import HEADLINE
from stance.evaluation.metrics import LAYERS, NO_STANCE, confusion, undefined
from stance.records import KINDS, STANCES


def flat_scores(ev: Evaluation) -> dict[str, float | None]:
    """The scores with each headline interval as `<metric>.ci95_low` / `.ci95_high`; null where undefined."""
    out: dict[str, float | None] = {k: None if undefined(ev.scores, k) else v for k, v in ev.scores.items()}
    for metric, (lo, hi) in ev.intervals.items():
        defined = not undefined(ev.scores, metric)
        out[f"{metric}.ci95_low"], out[f"{metric}.ci95_high"] = (lo, hi) if defined else (None, None)
    return out


def flat_json(
    evs: list[Evaluation], paired: dict[str, dict[str, float]] | None = None
) -> dict[str, float | None]:
    """One prediction: its flat scores. Two: `pred1.`/`pred2.` prefixes and `paired.<metric>.delta/.p`."""
    if len(evs) == 1:
        return flat_scores(evs[0])
    out: dict[str, float | None] = {}
    for i, ev in enumerate(evs, 1):
        out.update({f"pred{i}.{k}": v for k, v in flat_scores(ev).items()})
    for metric, values in (paired or {}).items():
        for key, value in values.items():
            out[f"paired.{metric}.{key}"] = value
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _cell(ev: Evaluation, metric: str) -> str:
    if undefined(ev.scores, metric):
        return "n/a"
    value = _pct(ev.scores[metric])
    if metric in ev.intervals:
        lo, hi = ev.intervals[metric]
        value += f" [{_pct(lo)}, {_pct(hi)}]"
    return value


def markdown(evs: list[Evaluation], paired: dict[str, dict[str, float]] | None = None) -> str:
    """A readable report: headline with 95% intervals, then every breakdown."""
    names = [ev.name for ev in evs]
    head = "| metric | " + " | ".join(names) + (" | Δ (p) |" if paired else " |")
    sep = "|---" * (len(evs) + 1 + bool(paired)) + "|"
    lines = [f"# Evaluation: {' vs '.join(names)}", ""]
    first = evs[0].scores
    spans = evs[0].convention == "spans"
    lines += [
        f"{int(first['n_articles'])} articles, {int(first['n_gold_quotes'])} gold quotes; "
        + "; ".join(f"{ev.name}: {int(ev.scores['n_pred_quotes'])} predicted quotes" for ev in evs)
        + ("; every contiguous span scored on its own (--convention spans)" if spans else ""),
        "",
        "## Headline (percent, 95% bootstrap interval over articles)",
        "",
        head,
        sep,
    ]
    for metric in HEADLINE:
        row = f"| {metric} | " + " | ".join(_cell(ev, metric) for ev in evs)
        if paired:
            if any(undefined(ev.scores, metric) for ev in evs):
                row += " | n/a"
            else:
                row += f" | {100 * paired[metric]['delta']:+.1f} ({paired[metric]['p']:.3f})"
        lines.append(row + " |")

    def table(title: str, rows: list[tuple[str, str]]) -> None:
        lines.extend(
            ["", f"## {title}", "", "| | " + " | ".join(names) + " |", "|---" * (len(evs) + 1) + "|"]
        )
        for label, prefix in rows:
            cells = [
                "n/a"
                if undefined(ev.scores, f"{prefix}.f1")
                else " / ".join(_pct(ev.scores[f"{prefix}.{m}"]) for m in ("p", "r", "f1"))
                for ev in evs
            ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")

    table(
        "Spans: precision / recall / F1",
        [(f"{layer} {match}", f"{layer}.{match}") for layer in LAYERS for match in ("exact", "overlap")],
    )
    table(
        "Content by kind: precision / recall / F1",
        [(f"{kind} {match}", f"content.{kind}.{match}") for kind in KINDS for match in ("exact", "overlap")],
    )
    lines += ["", "## Attribution on matched quotes", "", "| | " + " | ".join(names) + " |"]
    lines.append("|---" * (len(evs) + 1) + "|")
    for label, key, n in (
        ("source exact", "source.match.accuracy", "source.match.n"),
        ("speaker", "speaker.accuracy", "speaker.n"),
        ("speaker: surname only", "speaker.surname_match", "speaker.n"),
    ):
        cells = [f"{_cell(ev, key)} (n={int(ev.scores[n])})" for ev in evs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    table("Targets on matched quotes: precision / recall / F1", [("organizations", "targets")])
    table(
        "Stance on matched pairs: precision / recall / F1",
        [(label, f"stance.{label}") for label in STANCES],
    )
    for ev in evs:
        for e2e in (False, True):
            prefix = "stance.e2e" if e2e else "stance"
            if not ev.scores[f"{prefix}.n"]:
                continue
            cols = (*STANCES, NO_STANCE) if e2e else STANCES
            title = "end to end (unmatched gold pairs are errors)" if e2e else "matched pairs"
            lines += [
                "",
                f"### {ev.name}: stance, {title}",
                "",
                f"accuracy {_pct(ev.scores[f'{prefix}.accuracy'])}, "
                f"macro-F1 {_pct(ev.scores[f'{prefix}.macro_f1'])}, n={int(ev.scores[f'{prefix}.n'])}",
                "",
                "| gold \\ predicted | " + " | ".join(cols) + " |",
                "|---" * (len(cols) + 1) + "|",
            ]
            for label, row in zip(STANCES, confusion(ev.counts, e2e), strict=True):
                lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
