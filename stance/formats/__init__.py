"""Annotation-tool formats: records out to a tool and back (``stance export`` / ``stance import``).

- ``label_studio``: Label Studio tasks with pre-annotations, its labelling configuration, and its
  JSON export read back into records;
- ``brat``: brat standoff ``.txt``/``.ann`` pairs in the PolNeAR convention, written and read (the
  PolNeAR converter reads its files with the same reader).

Text and offsets stay the single source of truth: every span goes out and comes back as
``(start, end)`` into the article text, and every region read back is checked against it.
"""

from __future__ import annotations

import json
from typing import Any

from stance.io import _finite, _json_default

FORMATS = ("label-studio", "brat")


def json_text(value: Any) -> str:
    """``value`` as strict JSON (what a tool's parser accepts), as the records writer makes it: meta
    values from parquet or datasets (dates, numpy scalars) as JSON values, NaN and infinities as
    null. Both formats write an article's meta with it."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)
    except ValueError:  # NaN in meta (pandas' missing value): rare, so only then walk the value
        return json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, default=_json_default)
