"""The stance step: the speaker's stance toward each target of a quote.

No stance model exists yet, so every entry point here refuses with one clear message rather than
invent a label: a quote's ``stance`` stays null until a trained model is shipped in ``models/``.
"""

from __future__ import annotations

from typing import NoReturn

from stance.nlp import ModelMissingError


class StanceModelMissingError(ModelMissingError):
    """There is no stance model to classify with."""


def require_stance_model() -> NoReturn:
    """Raise StanceModelMissingError: no stance model is shipped yet."""
    raise StanceModelMissingError(
        "no stance model is shipped yet, so no stance can be given: "
        "`stance extract` finds quotes, speakers and organization targets (stance null)"
    )
