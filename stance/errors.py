"""Errors shared by the stages, in a module that imports nothing heavy: the stance classifier and
the tagger can be loaded and trained where spaCy is not installed."""


class ModelMissingError(RuntimeError):
    """A model the pipeline needs is not installed; the message says what to install."""


class StanceModelMissingError(ModelMissingError):
    """There is no stance model to classify with."""
