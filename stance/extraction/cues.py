"""Reporting verbs and the spans around them: the cue, its source, its content clause."""

from __future__ import annotations

from spacy.tokens import Token

from stance.records import Span

# Lemmas of verbs that report speech or writing. Verbs of thought ("believe") are left out:
# the tool reports what people said, not what journalists say they think.
REPORTING_VERBS = frozenset(
    """
    accuse acknowledge add admit advise agree allege announce argue ask assert assure blame boast
    brief call caution charge claim comment complain concede conclude condemn confirm contend
    counter criticise criticize declare demand deny describe disagree disclose dismiss emphasise
    emphasize estimate explain hail indicate inform insist lament maintain mention mutter note
    object observe pledge point post praise predict promise propose protest question reason recall
    recommend recount reiterate remark reply report respond retort reveal say scream shout signal
    slam state stress suggest tell testify threaten tweet underline underscore urge vow warn welcome
    whisper write yell
    """.split()
)
INVERTED_FORMS = frozenset({"said", "says", "added", "asked", "told", "wrote"})
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})
# Parts of a subject phrase that describe the speaker rather than name them.
SOURCE_EXCLUDED_DEPS = frozenset({"appos", "relcl", "acl", "punct", "advcl"})


def is_reporting_verb(token: Token) -> bool:
    if token.pos_ not in ("VERB", "AUX"):
        # A capitalised 'Said' opening a sentence ('Said Ellis: "…"') is often tagged a name.
        return token.pos_ == "PROPN" and token.lower_ in INVERTED_FORMS
    if token.lemma_.lower() not in REPORTING_VERBS:
        return False
    # "point" reports speech only as "point out".
    if token.lemma_.lower() == "point":
        return any(c.dep_ == "prt" and c.lower_ == "out" for c in token.children)
    return True


# 'has not commented on the decision', 'declined to comment': speech that did not happen reports
# no words. ('has not said when', 'refuses to discuss' stay quotes: PolNeAR annotates them.)
_ABSENT_SPEECH = frozenset("comment respond reply elaborate".split())
_REFUSALS = frozenset("decline refuse".split())


def is_absent_speech(verb: Token) -> bool:
    """Whether a cue verb says that nothing was said: negated, refused or declined."""
    lemma = verb.lemma_.lower()
    if lemma in _REFUSALS:
        return any(c.dep_ == "xcomp" and c.lemma_.lower() in _ABSENT_SPEECH for c in verb.children)
    if lemma not in _ABSENT_SPEECH:
        return False
    negated = any(c.dep_ == "neg" for c in verb.children)
    return negated or (verb.dep_ == "xcomp" and verb.head.lemma_.lower() in _REFUSALS)


def cue_tokens(verb: Token) -> list[Token]:
    """The verb with its auxiliaries, negation and particle: 'has not denied', 'pointed out'."""
    parts = [verb] + [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt")]
    return sorted(parts, key=lambda t: t.i)


def tokens_to_spans(tokens: list[Token]) -> list[Span]:
    """Character spans of tokens; runs of consecutive tokens become one span."""
    spans: list[Span] = []
    prev: Token | None = None
    for tok in sorted(tokens, key=lambda t: t.i):
        end = tok.idx + len(tok.text)
        if spans and prev is not None and tok.i == prev.i + 1:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((tok.idx, end))
        prev = tok
    return spans


def subject_of(verb: Token) -> Token | None:
    """The speaker token of a reporting verb: subject, passive agent, or inverted subject."""
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                return verb.head
            if child.dep_ == "nsubjpass" and child.lower_ == "it":
                continue  # "it was announced by X": the agent speaks
            return child
    for child in verb.children:
        if child.dep_ == "agent":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    # "…," said Peskov: the parser sometimes makes the inverted subject an object.
    for child in verb.rights:
        if child.dep_ in ("dobj", "npadvmod", "attr", "oprd") and child.pos_ in ("PROPN", "PRON"):
            return child
    # Coordinated verbs share the subject ("He paused and added: …"), and so does a participle
    # ("criticized the union, saying …").
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        return subject_of(verb.head)
    return None


def source_tokens(head: Token) -> list[Token]:
    """The speaker phrase without its appositive or relative clause: 'Maria Lopez', not '…, a nurse'."""
    keep = {head.i}
    for child in head.children:
        if child.dep_ not in SOURCE_EXCLUDED_DEPS:
            keep.update(t.i for t in child.subtree)
    # The contiguous run around the head: an excluded part in the middle ends the phrase.
    lo = hi = head.i
    while lo - 1 in keep:
        lo -= 1
    while hi + 1 in keep:
        hi += 1
    run = list(head.doc[lo : hi + 1])
    while len(run) > 1 and (run[-1].is_punct or run[-1].dep_ == "cc"):
        run.pop()
    return run


def clause_tokens(head: Token) -> list[Token]:
    """A content clause: the subtree of its head without edge punctuation, cut before a
    coordinated clause of the writer's own ('… — and he noted that …')."""
    cut = min(
        (c.left_edge.i for c in head.children if c.dep_ == "conj" and c.i > head.i and _own_clause(c)),
        default=None,
    )
    toks = [t for t in head.subtree if cut is None or t.i < cut]
    while toks and (toks[-1].dep_ == "cc" or toks[-1].is_space):
        toks.pop()
    while toks and toks[-1].is_punct and toks[-1].text not in '"”»':
        toks.pop()
    while toks and toks[0].is_punct and toks[0].text not in '"“«':
        toks.pop(0)
    return toks


def _own_clause(token: Token) -> bool:
    """A coordinated clause with its own subject, not itself introduced by 'that': the writer's
    next statement, not more of what was reported ('said that A but that B' reports both)."""
    has_subject = any(c.dep_ in SUBJECT_DEPS for c in token.children)
    # The parser sometimes reads that 'that' as a determiner: look at the clause's first word.
    return has_subject and token.left_edge.lower_ != "that"


def content_clause(verb: Token) -> Token | None:
    """The clausal complement of a reporting verb ('said (that) …'), if any."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            return child
    return None
