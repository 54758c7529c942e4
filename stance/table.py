"""Plain-text views of records for people reading them in a terminal."""

from __future__ import annotations

from collections.abc import Iterable

from stance.records import Article, Target

NO_STANCE = "not classified"  # `stance extract` output: stance is left null


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` characters, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    cut = line[: width - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _stance_cell(target: Target) -> str:
    if target.stance is None:
        return NO_STANCE
    if target.scores and target.stance in target.scores:
        return f"{target.stance} {target.scores[target.stance]:.2f}"
    return target.stance


def quote_table(articles: Iterable[Article], limit: int = 0, width: int = 50) -> str:
    """A fixed-width table, one row per (quote, target); a quote with no target gets one row."""
    rows = [("article", "speaker", "organization", "stance", "kind", "quote")]
    for art in articles:
        for quote in art.quotes:
            content = shorten(art.span_text(quote.content), width)
            speaker = quote.speaker or "?"
            for target in quote.targets or [None]:
                rows.append(
                    (
                        shorten(art.id, 24),
                        shorten(speaker, 24),
                        shorten(target.name, 40) if target else "-",
                        _stance_cell(target) if target else "-",
                        quote.kind,
                        content,
                    )
                )
    shown = rows if not limit else rows[: limit + 1]
    widths = [max(len(r[i]) for r in shown) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in shown]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 5)
    if limit and len(rows) - 1 > limit:
        lines.append(f"… {len(rows) - 1 - limit} more rows")
    return "\n".join(lines)
