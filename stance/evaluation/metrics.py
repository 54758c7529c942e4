"""Scores of predicted records against gold records (see docs/evaluation.md for definitions).

Each article is reduced to additive counts (true positives, credits, confusion cells), so that
totals, breakdowns and bootstrap resamples are all sums of the same per-article rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from stance.evaluation.spans import Tokens, exact_key
from stance.records import KINDS, STANCES, Article, Quote, Span

LAYERS = ("content", "source", "cue")
NO_STANCE = "none"


def _norm_name(name: str | None) -> str:
    """Case-, punctuation- and article-insensitive form of a speaker or organization name."""
    if not name:
        return ""
    words = "".join(c.lower() if c.isalnum() else " " for c in name).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


# How spans are counted: "quotes" scores each quote's (possibly discontinuous) layer as one item;
# "spans" scores every contiguous span of it on its own (the convention of independent scorers
# that read a quote interrupted by 'he said' as two pieces).
CONVENTIONS = ("quotes", "spans")


def _layer_counts(
    gold: Article, pred: Article, tokens: Tokens, layer: str, counts: Counter, convention: str = "quotes"
) -> None:
    """Exact and overlap counts for one layer (content, source or cue) of one article."""

    def items(article: Article) -> dict[tuple[Span, ...], str]:
        # Identical spans count once: a duplicated prediction is one claim, not two.
        out: dict[tuple[Span, ...], str] = {}
        for q in article.quotes:
            key = exact_key(article.text, getattr(q, layer))
            if key is None:
                continue
            for item in [key] if convention == "quotes" else [(piece,) for piece in key]:
                out.setdefault(item, q.kind)
        return out

    g_items, p_items = items(gold), items(pred)
    counts[f"{layer}.exact.tp"] += len(g_items.keys() & p_items.keys())
    counts[f"{layer}.exact.ngold"] += len(g_items)
    counts[f"{layer}.exact.npred"] += len(p_items)

    g_tok = {k: tokens.of(list(k)) for k in g_items}
    p_tok = {k: tokens.of(list(k)) for k in p_items}
    g_all = frozenset().union(*g_tok.values()) if g_tok else frozenset()
    p_all = frozenset().union(*p_tok.values()) if p_tok else frozenset()
    # Johansson & Moschitti (2010): each span is credited with the share of its tokens covered
    # by the other side's spans.
    p_credit = {k: len(t & g_all) / len(t) for k, t in p_tok.items() if t}
    g_credit = {k: len(t & p_all) / len(t) for k, t in g_tok.items() if t}
    counts[f"{layer}.overlap.pcredit"] += sum(p_credit.values())
    counts[f"{layer}.overlap.rcredit"] += sum(g_credit.values())

    if layer != "content":
        return
    for key, kind in g_items.items():
        counts[f"content.{kind}.exact.ngold"] += 1
        counts[f"content.{kind}.exact.tp_gold"] += key in p_items
        counts[f"content.{kind}.overlap.rcredit"] += g_credit.get(key, 0.0)
    for key, kind in p_items.items():
        counts[f"content.{kind}.exact.npred"] += 1
        counts[f"content.{kind}.exact.tp_pred"] += key in g_items
        counts[f"content.{kind}.overlap.pcredit"] += p_credit.get(key, 0.0)


def match_quotes(gold: list[Quote], pred: list[Quote], tokens: Tokens) -> list[tuple[Quote, Quote]]:
    """One-to-one pairs of gold and predicted quotes whose contents share tokens, most shared first."""
    g_tok = [tokens.of(q.content) for q in gold]
    p_tok = [tokens.of(q.content) for q in pred]
    candidates = sorted(
        ((len(gt & pt), gi, pi) for gi, gt in enumerate(g_tok) for pi, pt in enumerate(p_tok) if gt & pt),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gold[gi], pred[pi]))
    return pairs


def _match_targets(gold: Quote, pred: Quote) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) target pairs: overlapping mentions or the same name."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for gi, gt in enumerate(gold.targets):
        for pi, pt in enumerate(pred.targets):
            if pi in used:
                continue
            overlap = any(s < e2 and s2 < e for s, e in gt.mentions for s2, e2 in pt.mentions)
            if overlap or _norm_name(gt.name) == _norm_name(pt.name):
                pairs.append((gi, pi))
                used.add(pi)
                break
    return pairs


def article_counts(gold: Article, pred: Article, convention: str = "quotes") -> Counter:
    """All additive counts for one article; ``convention`` says how span layers are counted."""
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}: choose one of {', '.join(CONVENTIONS)}")
    counts: Counter = Counter()
    tokens = Tokens(gold.text)
    counts["n_articles"] = 1
    counts["n_gold_quotes"] = len(gold.quotes)
    counts["n_pred_quotes"] = len(pred.quotes)
    for layer in LAYERS:
        _layer_counts(gold, pred, tokens, layer, counts, convention)

    matched = match_quotes(gold.quotes, pred.quotes, tokens)
    counts["quotes.matched"] += len(matched)
    matched_gold_targets: set[tuple[int, int]] = set()
    for g, p in matched:
        g_src, p_src = exact_key(gold.text, g.source), exact_key(gold.text, p.source)
        if g_src is not None:
            counts["source.match.n"] += 1
            counts["source.match.correct"] += g_src == p_src
        if g.speaker:
            gold_name, pred_name = _norm_name(g.speaker), _norm_name(p.speaker)
            counts["speaker.n"] += 1
            counts["speaker.correct"] += gold_name == pred_name
            counts["speaker.surname"] += (
                bool(pred_name) and pred_name != gold_name and (pred_name == gold_name.split()[-1])
            )
        target_pairs = _match_targets(g, p)
        counts["targets.tp"] += len(target_pairs)
        counts["targets.ngold"] += len(g.targets)
        counts["targets.npred"] += len(p.targets)
        paired_pred = set()
        for gi, pi in target_pairs:
            gs, ps = g.targets[gi].stance, p.targets[pi].stance
            paired_pred.add(pi)
            if gs is None:
                continue
            matched_gold_targets.add((id(g), gi))
            counts[f"stance.e2e.cm.{gs}.{ps or NO_STANCE}"] += 1
            if ps is not None:
                counts[f"stance.cm.{gs}.{ps}"] += 1
        for pi, pt in enumerate(p.targets):
            if pi not in paired_pred and pt.stance is not None:
                counts[f"stance.e2e.fp.{pt.stance}"] += 1
    for g in gold.quotes:
        for gi, gt in enumerate(g.targets):
            if gt.stance is not None and (id(g), gi) not in matched_gold_targets:
                counts[f"stance.e2e.cm.{gt.stance}.{NO_STANCE}"] += 1
    matched_pred = {id(p) for _, p in matched}
    for p in pred.quotes:
        if id(p) not in matched_pred:
            for pt in p.targets:
                if pt.stance is not None:
                    counts[f"stance.e2e.fp.{pt.stance}"] += 1
    return counts


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _prf(p_num: float, npred: float, r_num: float, ngold: float, prefix: str, out: dict[str, float]) -> None:
    """Precision p_num/npred, recall r_num/ngold and their F1 (p_num = r_num = tp for exact match)."""
    p, r = _ratio(p_num, npred), _ratio(r_num, ngold)
    out[f"{prefix}.p"] = p
    out[f"{prefix}.r"] = r
    out[f"{prefix}.f1"] = _ratio(2 * p * r, p + r)


def _stance_scores(c: Counter, prefix: str, e2e: bool, out: dict[str, float]) -> None:
    labels = STANCES
    cm = f"{prefix}.cm"
    total = sum(c[f"{cm}.{g}.{p}"] for g in labels for p in (*labels, NO_STANCE))
    correct = sum(c[f"{cm}.{g}.{g}"] for g in labels)
    out[f"{prefix}.n"] = total
    out[f"{prefix}.accuracy"] = _ratio(correct, total)
    f1s = []
    for label in labels:
        tp = c[f"{cm}.{label}.{label}"]
        npred = sum(c[f"{cm}.{g}.{label}"] for g in labels) + (c[f"{prefix}.fp.{label}"] if e2e else 0)
        ngold = sum(c[f"{cm}.{label}.{p}"] for p in (*labels, NO_STANCE))
        _prf(tp, npred, tp, ngold, f"{prefix}.{label}", out)
        f1s.append(out[f"{prefix}.{label}.f1"])
    out[f"{prefix}.macro_f1"] = sum(f1s) / len(f1s)


def summarize(c: Counter) -> dict[str, float]:
    """Metrics from summed counts; keys are flat and stable (docs/evaluation.md lists them)."""
    out: dict[str, float] = {k: c[k] for k in ("n_articles", "n_gold_quotes", "n_pred_quotes")}
    for layer in LAYERS:
        tp, npred, ngold = c[f"{layer}.exact.tp"], c[f"{layer}.exact.npred"], c[f"{layer}.exact.ngold"]
        _prf(tp, npred, tp, ngold, f"{layer}.exact", out)
        _prf(
            c[f"{layer}.overlap.pcredit"],
            npred,
            c[f"{layer}.overlap.rcredit"],
            ngold,
            f"{layer}.overlap",
            out,
        )
    for kind in KINDS:
        pre = f"content.{kind}"
        npred, ngold = c[f"{pre}.exact.npred"], c[f"{pre}.exact.ngold"]
        out[f"{pre}.n_gold"], out[f"{pre}.n_pred"] = ngold, npred
        _prf(c[f"{pre}.exact.tp_pred"], npred, c[f"{pre}.exact.tp_gold"], ngold, f"{pre}.exact", out)
        _prf(c[f"{pre}.overlap.pcredit"], npred, c[f"{pre}.overlap.rcredit"], ngold, f"{pre}.overlap", out)
    out["quotes.matched"] = c["quotes.matched"]
    out["source.match.n"] = c["source.match.n"]
    out["source.match.accuracy"] = _ratio(c["source.match.correct"], c["source.match.n"])
    out["speaker.n"] = c["speaker.n"]
    out["speaker.accuracy"] = _ratio(c["speaker.correct"], c["speaker.n"])
    out["speaker.surname_match"] = _ratio(c["speaker.surname"], c["speaker.n"])
    out["targets.n_gold"], out["targets.n_pred"] = c["targets.ngold"], c["targets.npred"]
    _prf(c["targets.tp"], c["targets.npred"], c["targets.tp"], c["targets.ngold"], "targets", out)
    _stance_scores(c, "stance", e2e=False, out=out)
    _stance_scores(c, "stance.e2e", e2e=True, out=out)
    return out


# The count that says whether a metric applies at all: a speaker accuracy over gold without
# speakers, or a stance score over predictions without stance, is undefined, not zero.
_SUPPORT = (
    ("stance.e2e.", "stance.e2e.n"),
    ("stance.", "stance.n"),
    ("speaker.", "speaker.n"),
    ("source.match.", "source.match.n"),
    ("targets.", "targets.n_gold"),
)


def undefined(scores: dict[str, float], metric: str) -> bool:
    """Whether a metric has nothing to be computed on (then reports show n/a, JSON null)."""
    for prefix, support in _SUPPORT:
        if metric.startswith(prefix):
            return not scores.get(support)
    return False


def confusion(c: Counter, e2e: bool = False) -> list[list[int]]:
    """Rows gold, columns predicted, in STANCES order (plus a 'none' column end to end)."""
    prefix = "stance.e2e.cm" if e2e else "stance.cm"
    cols = (*STANCES, NO_STANCE) if e2e else STANCES
    return [[int(c[f"{prefix}.{g}.{p}"]) for p in cols] for g in STANCES]


def total_counts(rows: Iterable[Counter]) -> Counter:
    total: Counter = Counter()
    for row in rows:
        total.update(row)
    return total
