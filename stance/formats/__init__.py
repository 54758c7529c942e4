"""Annotation-tool formats: records out to a tool and back (``stance export`` / ``stance import``).

- ``label_studio``: Label Studio tasks with pre-annotations, its labelling configuration, and its
  JSON export read back into records;
- ``brat``: brat standoff ``.txt``/``.ann`` pairs in the PolNeAR convention, written and read (the
  PolNeAR converter reads its files with the same reader).

Text and offsets stay the single source of truth: every span goes out and comes back as
``(start, end)`` into the article text, and every region read back is checked against it.
"""

from __future__ import annotations

FORMATS = ("label-studio", "brat")
