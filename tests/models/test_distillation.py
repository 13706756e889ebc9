"""Students: a knowledge CRF learns from a teacher's labels of unlabelled tweets what the gold
tweets never show; dev chooses the recipe; the chosen student becomes the fast model, is saved
beside the CRF alone and answers to ``--model fast``; the teacher's labels are cached."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from tweetner_utils.data.conll import Tweet
from tweetner_utils.data.corpora import Corpus
from tweetner_utils.data.unlabelled import clean_unlabelled
from tweetner_utils.data.word_vectors import glove_vectors
from tweetner_utils.exceptions import ArtifactError
from tweetner_utils.features.knowledge import synthetic_knowledge
from tweetner_utils.features.neural import NeuralInputs
from tweetner_utils.metrics import entity_scores
from tweetner_utils.models import families
from tweetner_utils.models.artifacts import read_verified_metadata
from tweetner_utils.models.bilstm_crf import BilstmCrfSettings, BilstmCrfTagger, SoftTargets, target_distributions
from tweetner_utils.models.bilstm_crf_students import (
    NetworkStudentFit,
    NetworkStudents,
    fit_network_students,
    student_data,
)
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.models.distillation import StudentRecipe, choose_student, fit_student, variant_recipes
from tweetner_utils.models.ensemble import EnsembleTagger
from tweetner_utils.models.family import Candidate, Family, FitContext, MemberFit
from tweetner_utils.models.saving import save_strong_model
from tweetner_utils.models.seed_average import SeedAveragedMiniLM, averaged_settings
from tweetner_utils.models.selection import (
    NETWORK_STUDENT,
    STUDENT,
    TRANSFORMER,
    TRANSFORMER_STUDENT,
    refit_chosen,
    train_strong_model,
)
from tweetner_utils.models.strong_settings import StrongModelSettings
from tweetner_utils.models.teacher_labels import TeacherLabels, teacher_labels
from tweetner_utils.models.transformer import TransformerTagger
from tweetner_utils.models.transformer_students import (
    TransformerStudentFit,
    TransformerStudents,
    continue_on_teacher_tweets,
)
from tweetner_utils.reporting import strong_models
from tweetner_utils.serving.api import model_folder

STUDENT_LABEL = "Knowledge CRF student (the fast model)"

PEOPLE = ["Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana"]
TOWNS = [f"Town{c}{d}" for c in "ABCDEFGHIJKL" for d in "pqrstuvw"]
"""Invented place names: the teacher learns them after "visiting"; the gold tweets hold none."""


def person_tweet(rng: random.Random) -> Tweet:
    name = rng.choice(PEOPLE)
    return Tweet(("met", name, "today", "lol"), ("O", "B-person", "O", "O"))


def place_tweet(rng: random.Random, towns: list[str]) -> Tweet:
    return Tweet(("so", "visiting", rng.choice(towns), "now"), ("O", "O", "B-place", "O"))


def welcome_tweet(rng: random.Random) -> Tweet:
    """The one way gold train shows a place (so every model knows the type): never "visiting"."""
    return Tweet(("welcome", "to", rng.choice(["Portsea", "Portly"]), "!"), ("O", "O", "B-place", "O"))


def plain_tweet(rng: random.Random) -> Tweet:
    return Tweet(("nothing", "to", rng.choice(["see", "do", "say"]), "here"), ("O",) * 4)


def corpus(tweets: list[Tweet], name: str) -> Corpus:
    return Corpus(tuple(tweets), source=name)


def toy_corpora() -> dict[str, Corpus]:
    """Gold train: people, chit-chat and a welcome; dev and test also visit places (unseen towns)."""
    rng = random.Random(3)
    train = [person_tweet(rng) if i % 2 else plain_tweet(rng) for i in range(60)] + [welcome_tweet(rng)] * 3
    mixed = [[person_tweet(rng), place_tweet(rng, TOWNS[64:80]), plain_tweet(rng)][i % 3] for i in range(30)]
    tested = [[person_tweet(rng), place_tweet(rng, TOWNS[80:]), plain_tweet(rng)][i % 3] for i in range(30)]
    return {"train": corpus(train, "toy train"), "dev": corpus(mixed, "toy dev"), "test": corpus(tested, "toy test")}


def teacher_model(corpora: dict[str, Corpus]) -> CrfTagger:
    """A teacher that learnt places elsewhere (towns 0-31), saveable like a real teacher."""
    rng = random.Random(5)
    extra = [place_tweet(rng, TOWNS[:32]) for _ in range(30)]
    tweets = list(corpora["train"].tweets) + extra
    return CrfTagger(c1=0.05, c2=0.05, max_iterations=50).fit([t.tokens for t in tweets], [t.tags for t in tweets])


def unlabelled_tweets(corpora: dict[str, Corpus]):
    """Unlabelled tweets: places (towns 32-63), people and chit-chat, plus one test tweet."""
    rng = random.Random(9)
    shapes = [[place_tweet(rng, TOWNS[32:64]), person_tweet(rng), plain_tweet(rng)][i % 3] for i in range(90)]
    tweets = [(*tweet.tokens, f"#day{i}") for i, tweet in enumerate(shapes)]  # no two alike
    tweets.insert(10, corpora["test"].tweets[1].tokens)
    held_out = {split: c.tokens for split, c in corpora.items()}
    return clean_unlabelled({"toy": tweets}, held_out, {"toy": "sha"})


@pytest.fixture(scope="module")
def corpora() -> dict[str, Corpus]:
    return toy_corpora()


def fit_teacher(context: FitContext, rows: list[dict]) -> MemberFit:
    """The teacher as a candidate of the selection: it knows places from elsewhere."""
    model = teacher_model(context.corpora)
    dev, test = context.corpora["dev"], context.corpora["test"]
    dev_f1, test_f1 = context.f1("dev", model.predict(dev.tokens)), context.f1("test", model.predict(test.tokens))
    return MemberFit(
        "teacher", model, model.predict_proba(dev.tokens), model.predict_proba(test.tokens), dev_f1, test_f1, 0.0, {}
    )


TEACHER = Family(
    name="teacher",
    label="toy teacher",
    load=lambda folder, meta, data_dir: CrfTagger.load(str(folder)),
    candidate=Candidate(
        enabled=lambda settings: True,
        fit=fit_teacher,
        fit_as_chosen=lambda context, chosen: teacher_model(context.corpora),
        refit=lambda context, fit: fit.model,
        plan=lambda settings, resources: "a toy teacher",
    ),
)


@pytest.fixture
def teacher_family() -> Iterator[Family]:
    families.register(TEACHER)
    yield TEACHER
    families.unregister(TEACHER.name)


@pytest.fixture(scope="module")
def teacher(corpora: dict[str, Corpus]) -> CrfTagger:
    return teacher_model(corpora)


def settings(**changes) -> StrongModelSettings:
    base = {
        "crf_grid": [[0.05, 0.05]],
        "crf_max_iterations": 50,
        "transformer": False,
        "bilstm_crf": False,
        "unlabelled_sizes": [20, 60],
        "unlabelled_min_confidences": [0.0],
        "unlabelled_gold_copies": [1],
    }
    return StrongModelSettings(**(base | changes))


def test_a_student_learns_what_only_the_teachers_labels_show(corpora, teacher) -> None:
    tweets = [list(t) for t in unlabelled_tweets(corpora).tokens]
    taught = teacher_labels(teacher, tweets, None, "")[0]
    train, dev = corpora["train"], corpora["dev"]
    gold_only = CrfTagger(c1=0.05, c2=0.05, max_iterations=50).fit(train.tokens, train.tags)
    student, used = fit_student(StudentRecipe(len(tweets)), gold_only, (train.tokens, train.tags), tweets, taught)
    new_place = [["so", "visiting", "TownZz", "now"]]
    assert gold_only.predict(new_place) == [["O"] * 4]
    assert student.predict(new_place) == [["O", "O", "B-place", "O"]]
    f1 = {m: entity_scores(dev.tags, m.predict(dev.tokens)).overall.f1 for m in (gold_only, student)}
    assert used == len(tweets) and f1[student] > f1[gold_only] + 0.2


def test_the_tweets_a_filtered_student_learns_from_are_those_the_teacher_was_sure_of() -> None:
    sure, unsure = np.array([[0.9, 0.1]]), np.array([[0.6, 0.4]])
    taught = TeacherLabels([["O"], ["O"], ["O"], ["O"]], [sure, unsure, sure, sure], ("O", "B-place"))
    tweets = [["a"], ["b"], ["c"], ["d"]]
    assert StudentRecipe(3, min_confidence=0.8).kept(tweets, taught) == [0, 2]
    assert StudentRecipe(3).kept(tweets, taught) == [0, 1, 2]
    assert StudentRecipe(9).kept(tweets, taught) == [0, 1, 2, 3]  # never past the tweets offered
    gold = ([["x"]], [["O"]])
    tokens, _, used = StudentRecipe(3, min_confidence=0.8).training_data(gold, tweets, taught)
    assert tokens == [["x"], ["a"], ["c"]] and used == 2


@pytest.fixture
def curve_inputs(corpora, teacher):
    """What :func:`choose_student` needs on the toy corpus: the teacher-labelled tweets, the
    gold-only CRF and a dev scorer (test scored as 0)."""
    tweets = [list(t) for t in unlabelled_tweets(corpora).tokens]
    taught = teacher_labels(teacher, tweets, None, "")[0]
    train, dev = corpora["train"], corpora["dev"]
    gold_only = CrfTagger(c1=0.05, c2=0.05, max_iterations=50).fit(train.tokens, train.tags)

    def score(model: CrfTagger) -> tuple[float, float]:
        return entity_scores(dev.tags, model.predict(dev.tokens)).overall.f1, 0.0

    return tweets, taught, (train.tokens, train.tags), gold_only, score


def test_dev_chooses_among_sizes_then_filters_and_gold_weights(curve_inputs) -> None:
    tweets, taught, gold, gold_only, score = curve_inputs
    chosen, fits = choose_student(gold_only, gold, tweets, taught, score, [30, 60], [0.0, 0.99], [1, 2], lambda _: None)
    recipes = [fit.recipe for fit in fits]
    assert recipes[:3] == [StudentRecipe(0), StudentRecipe(30), StudentRecipe(60)]
    assert len(recipes) == 5 and chosen.recipe.unlabelled > 0
    assert chosen.dev_f1 == max(fit.dev_f1 for fit in fits)
    assert [fit.taught_tweets for fit in fits][:3] == [0, 30, 60]
    filtered = next(fit for fit in fits if fit.recipe.min_confidence == 0.99)
    assert filtered.taught_tweets < filtered.recipe.unlabelled
    assert variant_recipes(StudentRecipe(0), [0.0, 0.5], [1, 2]) == []


def test_students_fit_in_two_processes_are_the_students_fit_here(curve_inputs) -> None:
    tweets, taught, gold, gold_only, score = curve_inputs

    def students(workers: int) -> tuple[StudentRecipe, list[tuple[StudentRecipe, int, float, bytes | None]]]:
        chosen, fits = choose_student(
            gold_only, gold, tweets, taught, score, [20, 40, 60], [0.0, 0.99], [1, 2],
            lambda _: None, gold_only=gold_only, workers=workers,
        )  # fmt: skip
        return chosen.recipe, [(f.recipe, f.taught_tweets, f.dev_f1, f.model.model_bytes) for f in fits]

    here, forked = students(1), students(2)
    assert forked == here
    assert [recipe.unlabelled for recipe, *_ in forked[1][:4]] == [0, 20, 40, 60]  # curve order, not fit order
    assert forked[1][0][3] == gold_only.model_bytes  # the grid's CRF is the first point, not fit again


def test_the_chosen_student_is_the_fast_model_saved_beside_the_crf_alone(corpora, teacher_family, tmp_path) -> None:
    unlabelled = unlabelled_tweets(corpora)
    counts = unlabelled.counts["toy"]
    assert counts["in_test"] == 1 and counts["kept"] == len(unlabelled)

    def train(cache: Path):
        return train_strong_model(corpora, settings(), synthetic_knowledge(), None, lambda _: None, unlabelled, cache)

    model = train(tmp_path / "cache")
    found = model.distillation
    assert found is not None and found.chosen.recipe.unlabelled > 0 and found.final is model.fast
    assert model.fast_family == STUDENT and model.knowledge_crf is not model.fast
    assert found.teacher_from_cache == {"train-only": False, "final": False}
    assert model.fast.predict([["so", "visiting", "TownZz", "now"]]) == [["O", "O", "B-place", "O"]]
    assert strong_models.fast_label(model) == STUDENT_LABEL
    assert set(model.fast_candidates) == {"crf", STUDENT}
    assert model.fast_candidates[STUDENT] > model.fast_candidates["crf"]
    assert strong_models.fast_choice_line(model).startswith(
        "The fast model (`--model fast`) is the knowledge CRF student"
    )
    assert "(the others: Knowledge CRF alone " in strong_models.fast_choice_line(model)
    again = train(tmp_path / "cache")
    assert again.distillation is not None and again.distillation.teacher_from_cache == {
        "train-only": True,
        "final": True,
    }
    assert again.distillation.record() == found.record()
    assert "fit_seconds" not in model.selection.columns  # the recorded table holds no timing, the student's row neither
    assert any("student" in candidate for candidate in model.candidate_seconds)  # its time kept apart

    models_dir = tmp_path / "models"
    outcome = {"test_entity_f1": 0.5}
    save_strong_model(model, models_dir, {"seed": 42}, {}, {"strong": outcome, "fast": outcome})
    assert model_folder("fast", models_dir) == models_dir / "strong_crf_student"
    assert model_folder("crf", models_dir) == models_dir / "strong_crf"
    assert (models_dir / "strong_crf").is_dir() and (models_dir / "strong_crf_student").is_dir()
    folders = strong_models.saved_folders(model, models_dir)
    assert folders == {
        "strong": (models_dir / "strong").resolve(),
        "fast": (models_dir / "strong_crf_student").resolve(),
        "crf": (models_dir / "strong_crf").resolve(),
    }
    timings = {"strong": {"cold_tweets_per_s": 90.0}, "fast": {"cold_tweets_per_s": 4000.0}, "crf": {}}
    points = strong_models.frontier_points(model, {"strong": 0.6, "fast": 0.5, "crf": 0.4}, timings)
    assert list(points.index) == [model.label, STUDENT_LABEL]  # slowest first; crf not measured
    assert points.loc[STUDENT_LABEL].tolist() == [4000.0, 0.5]
    student = CrfTagger.load(str(models_dir / "strong_crf_student"))
    assert student.predict(corpora["test"].tokens) == model.fast.predict(corpora["test"].tokens)


@pytest.fixture
def fast_teacher_family() -> Iterator[Family]:
    """The toy teacher as a family fast enough to be the fast model."""
    assert TEACHER.candidate is not None
    fit = TEACHER.candidate.fit
    candidate = dataclasses.replace(TEACHER.candidate, fit=lambda *a: dataclasses.replace(fit(*a), name="fast_teacher"))
    found = dataclasses.replace(TEACHER, name="fast_teacher", label="fast toy teacher", candidate=candidate, fast=True)
    families.register(found)
    yield found
    families.unregister(found.name)


def test_the_fast_model_is_the_best_on_dev_of_the_fast_families_and_the_descriptor_names_it(
    corpora, fast_teacher_family, tmp_path
) -> None:
    model = train_strong_model(corpora, settings(unlabelled_sizes=[]), synthetic_knowledge(), None, lambda _: None)
    assert model.fast_candidates["fast_teacher"] > model.fast_candidates["crf"]  # it knows how places are visited
    assert model.fast_family == "fast_teacher" and model.fast_settings == {}
    assert model.fast is not model.knowledge_crf
    assert model.fast.predict([["so", "visiting", "TownZz", "now"]]) == [["O", "O", "B-place", "O"]]
    assert strong_models.fast_label(model) == "Fast toy teacher (the fast model)"
    assert strong_models.student_details(model) == {}

    models_dir = tmp_path / "models"
    (models_dir / "strong_crf_student").mkdir(parents=True)  # an older run's student: the descriptor wins
    outcome = {"test_entity_f1": 0.5}
    save_strong_model(model, models_dir, {"seed": 42}, {}, {"strong": outcome, "fast": outcome})
    assert model_folder("fast", models_dir) == models_dir / "strong_fast_teacher"
    assert (models_dir / "strong_crf").is_dir()
    assert strong_models.saved_folders(model, models_dir)["crf"] == (models_dir / "strong_crf").resolve()


def test_a_descriptor_naming_a_fast_folder_elsewhere_is_refused(tmp_path: Path) -> None:
    from tweetner_utils.models.artifacts import write_artifact

    write_artifact(tmp_path / "strong", {}, {"kind": "ensemble", "members": [], "fast": "../elsewhere"})
    with pytest.raises(ArtifactError, match=r"'fast' must name a folder beside it, not '../elsewhere'"):
        model_folder("fast", tmp_path)


def test_fast_falls_back_to_the_crf_alone_when_no_student_was_saved(tmp_path: Path) -> None:
    (tmp_path / "strong_crf").mkdir()
    assert model_folder("fast", tmp_path) == tmp_path / "strong_crf"


def test_the_report_says_what_dev_chose_and_whether_the_leader_took_the_student(corpora, teacher_family) -> None:
    unlabelled = unlabelled_tweets(corpora)
    chosen = train_strong_model(corpora, settings(), synthetic_knowledge(), None, lambda _: None, unlabelled, None)
    lines = strong_models.distillation_lines(chosen)
    assert "1 equal to a tweet of test" in lines[0] and f"{len(unlabelled):,} kept" in lines[0]
    assert lines[1].startswith("Dev chose the student that learnt from +")
    assert chosen.members == ("teacher",)  # the student ties with its teacher on dev at best
    assert lines[2].startswith("Self-training: the best configuration with a student") and "not above" in lines[2]
    taking = dataclasses.replace(chosen, members=("teacher", STUDENT), weights=(0.5, 0.5))
    assert strong_models.distillation_lines(taking)[2].startswith(
        "Self-training: dev chose the knowledge CRF student as a member"
    )
    assert strong_models.distillation_lines(taking)[2].endswith("above every configuration without it).")
    both = dataclasses.replace(chosen, members=(STUDENT, NETWORK_STUDENT), weights=(0.5, 0.5))
    line = strong_models.distillation_lines(both)[2]
    assert line.startswith("Self-training: dev chose the knowledge CRF student and the BiLSTM-CRF student as members")
    assert line.endswith("above every configuration without them).")
    assert chosen.distillation is not None and chosen.fast_family == STUDENT
    learnt = chosen.distillation.final_teacher_tweets()
    assert chosen.teacher_tweets(chosen.members) == 0  # the leader alone learnt from gold tweets only
    assert chosen.teacher_tweets([chosen.fast_family]) == taking.teacher_tweets(taking.members) == len(learnt) > 0

    rng = random.Random(1)
    chit_chat = clean_unlabelled({"toy": [plain_tweet(rng).tokens for _ in range(30)]}, {}, {"toy": "sha"})
    none = train_strong_model(corpora, settings(), synthetic_knowledge(), None, lambda _: None, chit_chat, None)
    lines = strong_models.distillation_lines(none)
    assert none.knowledge_crf is none.fast and none.fast_family == "crf"
    assert strong_models.fast_label(none) == "Knowledge CRF alone (the fast model)"
    assert strong_models.fast_choice_line(none).startswith("The fast model (`--model fast`) is the Knowledge CRF alone")
    assert "the others" not in strong_models.fast_choice_line(none)  # no student beat it, none was offered
    assert lines[1].startswith("Dev chose the knowledge CRF alone") and "no student beat it" in lines[1]
    assert lines[2].startswith("Self-training: no student was offered")


def test_a_student_member_is_refit_on_other_gold_tweets_with_the_same_teacher_labels(corpora, teacher_family) -> None:
    unlabelled = unlabelled_tweets(corpora)
    model = train_strong_model(corpora, settings(), synthetic_knowledge(), None, lambda _: None, unlabelled, None)
    taking = dataclasses.replace(model, members=("teacher", STUDENT), weights=(0.5, 0.5))
    fewer = {**corpora, "train": corpus([*corpora["train"].tweets[:40], corpora["train"].tweets[-1]], "fewer")}
    refit = refit_chosen(taking, fewer, settings(), synthetic_knowledge(), None, lambda _: None)
    assert isinstance(refit.final, EnsembleTagger) and isinstance(refit.selection_model, EnsembleTagger)
    student = refit.final.members[1]
    assert isinstance(student, CrfTagger) and student is not model.fast
    visiting = [["so", "visiting", "TownZz", "now"]]
    assert student.predict(visiting) == model.fast.predict(visiting) == [["O", "O", "B-place", "O"]]


def test_a_soft_student_refits_on_the_teachers_probabilities(corpora, teacher) -> None:
    tweets = [list(t) for t in unlabelled_tweets(corpora).tokens][:40]
    taught = teacher_labels(teacher, tweets, None, "")[0]
    train = corpora["train"]
    gold = (train.tokens, train.tags)
    tokens, tags, targets = student_data(gold, tweets, taught, 40, soft=True)
    assert targets is not None and targets.labels == taught.labels
    assert targets.per_tweet[: len(train)] == [None] * len(train)
    assert all(a is b for a, b in zip(targets.per_tweet[len(train) :], taught.probabilities[:40]))
    assert student_data(gold, tweets, taught, 40, soft=False)[2] is None

    def fit(epochs: int, soft: bool) -> NetworkStudentFit:
        return NetworkStudentFit(40, bilstm_crf(epochs).fit(tokens, tags, progress=lambda _: None), 0.5, 0.5, 0.0, soft)

    students = NetworkStudents([fit(2, True)], fit(2, True), tweets, taught, None, None, 0.0)
    students.chosen.model.best_epoch = 2
    refit = students.refit(gold, final=False, log=lambda _: None)
    by_hand = bilstm_crf(2).fit(tokens, tags, progress=lambda _: None, soft=targets)
    hard = bilstm_crf(2).fit(tokens, tags, progress=lambda _: None)
    test = corpora["test"].tokens
    assert refit.predict_proba(test)[0] == pytest.approx(by_hand.predict_proba(test)[0], abs=0)
    assert not np.allclose(refit.predict_proba(test)[0], hard.predict_proba(test)[0])  # the check can fail


def test_the_student_refit_trains_the_epochs_dev_chose_or_the_settings_count(corpora, teacher) -> None:
    tweets = [list(t) for t in unlabelled_tweets(corpora).tokens][:40]
    taught = teacher_labels(teacher, tweets, None, "")[0]
    gold = (corpora["train"].tokens, corpora["train"].tags)
    tokens, tags, _ = student_data(gold, tweets, taught, 40, soft=False)
    chosen = NetworkStudentFit(40, bilstm_crf(2).fit(tokens, tags, progress=lambda _: None), 0.5, 0.5, 0.0)
    chosen.model.best_epoch = 2  # what early stopping kept
    quiet = lambda _: None  # noqa: E731
    dev_peak = NetworkStudents([chosen], chosen, tweets, taught, None, None, 0.0)
    assert dev_peak.epochs == 2 and len(dev_peak.refit(gold, final=False, log=quiet).history) == 2
    fixed = NetworkStudents([chosen], chosen, tweets, taught, None, None, 0.0, refit_epochs=3)
    refit = fixed.refit(gold, final=False, log=quiet)
    assert fixed.epochs == 3 and len(refit.history) == 3
    test = corpora["test"].tokens
    assert refit.predict_proba(test)[0] == pytest.approx(
        bilstm_crf(3).fit(tokens, tags, progress=quiet).predict_proba(test)[0], abs=0
    )
    context = FitContext(corpora, settings(), synthetic_knowledge(), None, quiet)
    assert fixed.member_fit("s", context).settings == {
        "epochs": 2,
        "unlabelled": 40,
        "soft_labels": False,
        "refit_epochs": 3,
    }
    assert "refit_epochs" not in dev_peak.member_fit("s", context).settings
    with pytest.raises(ValueError, match="bilstm_crf_student_refit_epochs -1: expected 0"):
        settings(bilstm_crf_student_refit_epochs=-1)


def test_scoring_every_epoch_leaves_the_training_as_it_was(corpora) -> None:
    train, test = corpora["train"], corpora["test"].tokens
    seen: dict[int, list[np.ndarray]] = {}
    tagger = bilstm_crf(3)
    tagger.fit(
        train.tokens, train.tags, progress=lambda _: None,
        after_epoch=lambda epoch: seen.setdefault(epoch, tagger.predict_proba(test)),
    )  # fmt: skip
    assert sorted(seen) == [1, 2, 3]
    two = bilstm_crf(2).fit(train.tokens, train.tags, progress=lambda _: None)
    assert seen[2][0] == pytest.approx(two.predict_proba(test)[0], abs=0)  # epoch 2's weights, as if it stopped there
    assert not np.allclose(seen[2][0], seen[3][0])  # the check can fail: epochs differ


def test_teacher_probabilities_become_targets_in_the_students_label_order() -> None:
    soft = SoftTargets(("O", "B-place", "I-place"), [None, np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])])
    found = target_distributions(soft, [[0], [1, 1]], ("B-place", "O"))
    assert found[0].tolist() == [[1.0, 0.0]]  # a gold tweet: one-hot of its tag (B-place, in this order)
    assert found[1] == pytest.approx(np.array([[0.375, 0.625], [0.5, 0.5]]))  # renormalised without I-place
    with pytest.raises(ValueError, match="no column for B-person"):
        target_distributions(soft, [[0], [0, 0]], ("B-person", "O"))
    with pytest.raises(ValueError, match="a tweet of 1 tokens has the teacher's probabilities of 2"):
        target_distributions(soft, [[0], [0]], ("O",))


def bilstm_crf(epochs: int = 12) -> BilstmCrfTagger:
    resources, vectors = synthetic_knowledge(), glove_vectors()
    settings = BilstmCrfSettings(max_epochs=epochs, hidden_dim=32, batch_size=8, seed=4)
    return BilstmCrfTagger(settings, lambda chars: NeuralInputs(resources, vectors, chars))


def test_a_bilstm_crf_student_learns_what_only_the_teachers_labels_show(corpora, teacher) -> None:
    tweets = [list(t) for t in unlabelled_tweets(corpora).tokens]
    taught = teacher_labels(teacher, tweets, None, "")[0]
    train, dev, test = corpora["train"], corpora["dev"], corpora["test"]
    gold_only = bilstm_crf().fit(train.tokens, train.tags, progress=lambda _: None)

    def score(model: BilstmCrfTagger) -> tuple[float, float]:
        return tuple(entity_scores(c.tags, model.predict(c.tokens)).overall.f1 for c in (dev, test))  # type: ignore[return-value]

    [student] = fit_network_students(
        bilstm_crf, (train.tokens, train.tags), tweets, taught, (dev.tokens, dev.tags), score, [0, len(tweets)],
        lambda _: None,
    )  # fmt: skip
    assert student.unlabelled == len(tweets) and 1 <= student.model.best_epoch <= 12
    new_place = [["so", "visiting", "TownZz", "now"]]
    assert "B-place" not in gold_only.predict(new_place)[0]  # gold shows no place after "visiting"
    assert student.model.predict(new_place) == [["O", "O", "B-place", "O"]]
    assert student.dev_f1 > score(gold_only)[0] + 0.2
    assert student.row()["epochs"] == student.model.best_epoch and "fit_seconds" not in student.row()
    [soft] = fit_network_students(
        bilstm_crf, (train.tokens, train.tags), tweets, taught, (dev.tokens, dev.tags), score, [len(tweets)],
        lambda _: None, soft=True,
    )  # fmt: skip
    assert soft.soft and soft.model.predict(new_place) == [["O", "O", "B-place", "O"]]  # probabilities teach it too
    assert soft.dev_f1 > score(gold_only)[0] + 0.2


def test_bilstm_crf_students_join_the_selection_and_refit_as_chosen(corpora, teacher_family, tmp_path) -> None:
    unlabelled = unlabelled_tweets(corpora)
    chosen = train_strong_model(
        corpora,
        settings(
            bilstm_crf=True,
            bilstm_crf_max_epochs=6,
            bilstm_crf_student_sizes=[60],
            bilstm_crf_student_max_epochs=6,
            bilstm_crf_student_hidden_dim=80,
            bilstm_crf_student_soft=[False, True],
        ),
        synthetic_knowledge(),
        glove_vectors(),
        lambda _: None,
        unlabelled,
        tmp_path / "cache",
    )
    students = chosen.network_students
    assert students is not None
    assert [(fit.unlabelled, fit.soft) for fit in students.fits] == [(0, False), (60, False), (60, True)]
    assert students.fits[2].name == "+60 teacher-labelled tweets, soft labels"
    assert students.fits[0].dev_f1 == chosen.selection.set_index("members").loc["bilstm_crf", "dev_f1"]
    assert students.chosen.unlabelled == 60 and students.chosen.dev_f1 > students.fits[0].dev_f1
    assert students.chosen is max(students.fits, key=lambda fit: fit.dev_f1)
    assert students.final is not None and students.final_taught is not None
    assert len(students.final_taught.tags) == 60  # the final teacher tagged the chosen tweets again
    assert chosen.teacher_tweets([NETWORK_STUDENT]) == 60
    assert chosen.distillation is not None
    both = set(chosen.distillation.final_teacher_tweets()) | set(range(60))
    assert chosen.teacher_tweets([STUDENT, NETWORK_STUDENT, "teacher"]) == len(both)  # tweets counted once
    rows = chosen.selection[chosen.selection["members"].str.contains(NETWORK_STUDENT)]
    assert len(rows) > 1  # its own row and every ensemble holding it
    record = strong_models.distillation_record(chosen, {"test": {"entity": {"f1": 0.0}}})
    assert record is not None and record["bilstm_crf_students"]["curve"][1]["unlabelled_offered"] == 60
    assert [row["soft_labels"] for row in record["bilstm_crf_students"]["curve"]] == [False, False, True]
    # the students are sized by their own setting; the member (their first point) keeps its width
    assert [row["lstm_hidden"] for row in record["bilstm_crf_students"]["curve"]] == [200, 80, 80]
    assert students.final.settings.hidden_dim == 80
    assert record["teacher_tweets_labelled"] == 60

    # a leader holding the student: it refits as chosen, with the same teacher labels, nothing re-chosen
    assert chosen.members == ("teacher",)  # the students tie with their teacher on dev at best
    members = {"teacher": chosen.final_members["teacher"], NETWORK_STUDENT: students.final}
    taking = dataclasses.replace(chosen, members=tuple(members), weights=(0.5, 0.5), final_members=members)
    again = refit_chosen(taking, corpora, settings(), synthetic_knowledge(), glove_vectors(), lambda _: None)
    final_student = cast(EnsembleTagger, again.final).members[1]
    assert isinstance(final_student, BilstmCrfTagger)
    assert final_student.predict(corpora["test"].tokens) == students.final.predict(corpora["test"].tokens)

    # and saves as a BiLSTM-CRF folder that the leader's descriptor names and loads
    models_dir = tmp_path / "models"
    outcome = {"test_entity_f1": 0.5}
    neural = {"kind": "synthetic", "vectors": "glove-6b-50d"}
    save_strong_model(taking, models_dir, {"seed": 42}, neural, {"strong": outcome, "fast": outcome})
    loaded = BilstmCrfTagger.load(str(models_dir / f"strong_{NETWORK_STUDENT}"), bilstm_crf()._make_inputs)
    assert loaded.predict(corpora["test"].tokens) == students.final.predict(corpora["test"].tokens)
    assert loaded.settings.hidden_dim == 80


class Continuing:
    """A stand-in MiniLM that records what each continuation learnt from (the order is the point)."""

    def __init__(self, passes: tuple[tuple[list[tuple[str, ...]], int], ...] = ()) -> None:
        self.passes = passes

    def continued(self, tokens, tags, epochs: int, progress=print) -> Continuing:
        return Continuing((*self.passes, ([tuple(sentence) for sentence in tokens], epochs)))


def test_a_minilm_student_meets_the_teacher_tweets_mixed_or_first() -> None:
    gold = ([["gold", "one"], ["gold", "two"]], [["O", "O"], ["O", "O"]])
    tweets = [["tweet", "a"], ["tweet", "b"], ["tweet", "c"]]
    taught = TeacherLabels(
        [["O", "B-person"], ["O", "O"], ["B-place", "O"]],
        [np.full((2, 3), 1 / 3) for _ in tweets],
        ("O", "B-person", "B-place"),
    )
    start = Continuing()

    mixed = continue_on_teacher_tweets(start, gold, tweets, taught, StudentRecipe(2), 3, lambda _: None, "mixed")
    assert len(mixed.passes) == 1 and mixed.passes[0][1] == 3
    assert sorted(mixed.passes[0][0]) == [("gold", "one"), ("gold", "two"), ("tweet", "a"), ("tweet", "b")]

    first = continue_on_teacher_tweets(
        start, gold, tweets, taught, StudentRecipe(2), 3, lambda _: None, "teacher_first"
    )
    assert first.passes == (([("tweet", "a"), ("tweet", "b")], 3), ([("gold", "one"), ("gold", "two")], 3))
    assert start.passes == ()  # the start is left as it was
    twice = continue_on_teacher_tweets(
        start, gold, tweets, taught, StudentRecipe(1, 0.0, 2), 1, lambda _: None, "teacher_first"
    )
    assert twice.passes[1] == ([("gold", "one"), ("gold", "two")] * 2, 1)  # the gold weight holds in either order

    with pytest.raises(ValueError, match="unknown MiniLM student order 'gold_first'"):
        continue_on_teacher_tweets(start, gold, tweets, taught, StudentRecipe(2), 3, lambda _: None, "gold_first")


def test_the_minilm_member_has_no_order_and_no_student_recipe_to_refit() -> None:
    member = MemberFit("transformer", cast(TransformerTagger, Continuing()), [], [], 0.4, 0.3, 1.0, {})
    point = TransformerStudentFit(0, member)
    assert point.row()["order"] is None and point.name == "gold tweets only"
    taught = TeacherLabels([], [], ("O",))
    students = TransformerStudents([point], point, [], taught, 1, {})
    gold: tuple[list[list[str]], list[list[str]]] = ([["gold"]], [["O"]])
    with pytest.raises(ValueError, match="MiniLM member has no student recipe"):
        students.refit(cast(TransformerTagger, Continuing()), gold, taught, lambda _: None)
    taking = dataclasses.replace(students, chosen=TransformerStudentFit(1, member, "teacher_first"))
    assert taking.chosen.row()["order"] == "teacher_first"


def test_misspelt_minilm_student_orders_fail_when_the_settings_are_made() -> None:
    assert StrongModelSettings(transformer_student_orders=["teacher_first"]).transformer_student_orders == [
        "teacher_first"
    ]
    for orders in (["teacher-first"], []):
        with pytest.raises(
            ValueError, match=r"transformer_student_orders .*expected one or more of mixed, teacher_first"
        ):
            StrongModelSettings(transformer_student_orders=orders)


@pytest.mark.slow  # fine-tunes MiniLM on the toy tweets
def test_minilm_students_join_the_selection_and_refit_as_chosen(corpora, teacher_family, tmp_path) -> None:
    unlabelled = unlabelled_tweets(corpora)
    chosen = train_strong_model(
        corpora,
        settings(
            transformer=True,
            transformer_max_epochs=4,
            transformer_student_sizes=[len(unlabelled)],
            transformer_student_epochs=3,
            transformer_student_orders=["mixed", "teacher_first"],
            transformer_seeds=2,
        ),
        synthetic_knowledge(),
        None,
        lambda _: None,
        unlabelled,
        tmp_path / "cache",
    )
    students = chosen.transformer_students
    assert students is not None
    assert [(fit.unlabelled, fit.order) for fit in students.fits] == [
        (0, None),
        (len(unlabelled), "mixed"),
        (len(unlabelled), "teacher_first"),
    ]
    assert students.fits[2].name.endswith("those first") and students.fits[1].model is not students.fits[2].model
    train = corpora["train"]
    for fit in students.fits[1:]:  # the refit path repeats each order: from the member, the same student
        again = dataclasses.replace(students, chosen=fit).refit(
            students.fits[0].model, (train.tokens, train.tags), students.taught, lambda _: None
        )
        assert again.predict(corpora["test"].tokens) == fit.model.predict(corpora["test"].tokens)
    averaged = chosen.selection["candidate"].str.contains("2 seeds averaged")
    table = chosen.selection[~averaged].set_index("members")
    assert students.fits[0].dev_f1 == table.loc[TRANSFORMER, "dev_f1"]  # the member is the first point
    # the member and the chosen student from a second seed, averaged, were candidates too
    tried = [set(members.split("+")) for members in chosen.selection[averaged]["members"]]
    assert {TRANSFORMER} in tried and {TRANSFORMER_STUDENT} in tried and {"teacher", TRANSFORMER} in tried
    assert students.chosen.unlabelled == len(unlabelled) and students.chosen.dev_f1 > students.fits[0].dev_f1 + 0.2
    new_place = [["so", "visiting", "TownZz", "now"]]
    assert students.chosen.model.predict(new_place) == [["O", "O", "B-place", "O"]]  # as the teacher's tweets show
    assert len(chosen.selection[chosen.selection["members"].str.contains(TRANSFORMER_STUDENT)]) > 1
    record = strong_models.distillation_record(chosen, {"test": {"entity": {"f1": 0.0}}})
    assert record is not None and record["transformer_students"]["curve"][1]["unlabelled_offered"] == len(unlabelled)
    assert [row["order"] for row in record["transformer_students"]["curve"]] == [None, "mixed", "teacher_first"]
    assert (
        record["transformer_students"]["epochs"] == 3
        and "fit_seconds" not in record["transformer_students"]["curve"][1]
    )
    frame = strong_models.curve_frame(students)
    assert frame["chosen"].sum() == 1 and not frame["chosen"].iloc[0]
    assert frame.index[frame["chosen"]].tolist() == [students.chosen.name]
    # dev did not take it (the toy teacher is as good as it gets), so its refit was never paid for
    assert TRANSFORMER_STUDENT not in chosen.members
    assert students.final_taught is None and chosen.teacher_tweets([TRANSFORMER_STUDENT]) == 0
    assert strong_models.distillation_lines(chosen)[2].startswith("Self-training: the best configuration with a")

    # a leader holding it averaged over two seeds: fit again as chosen, from MiniLMs fit as the
    # member's seeds were, nothing re-chosen; the first seed's is the student dev chose
    epochs = students.member_settings["epochs"]
    two_seeds = averaged_settings(students.member_settings, [42, 43], [epochs, epochs])
    taking = dataclasses.replace(
        chosen,
        members=("teacher", TRANSFORMER_STUDENT),
        weights=(0.5, 0.5),
        transformer_students=dataclasses.replace(students, member_settings=two_seeds),
    )
    assert strong_models.distillation_lines(taking)[2].startswith(
        "Self-training: dev chose the MiniLM student as a member"
    )
    again = refit_chosen(taking, corpora, settings(), synthetic_knowledge(), None, lambda _: None)
    trained, final = (cast(EnsembleTagger, m).members[1] for m in (again.selection_model, again.final))
    assert isinstance(trained, SeedAveragedMiniLM) and isinstance(final, SeedAveragedMiniLM)
    assert trained.seeds == final.seeds == [42, 43]
    assert trained.predict(new_place) == final.predict(new_place) == [["O", "O", "B-place", "O"]]
    first = trained.taggers[0].predict(corpora["test"].tokens)
    assert first == students.chosen.model.predict(corpora["test"].tokens)

    # and saves as a MiniLM folder that the leader's descriptor names and loads
    members = {"teacher": chosen.final_members["teacher"], TRANSFORMER_STUDENT: final}
    saved = dataclasses.replace(taking, final_members=members)
    outcome = {"test_entity_f1": 0.5}
    save_strong_model(saved, tmp_path / "models", {"seed": 42}, {}, {"strong": outcome, "fast": outcome})
    folder = tmp_path / "models" / f"strong_{TRANSFORMER_STUDENT}"
    loaded = families.family(TRANSFORMER_STUDENT).load(folder, read_verified_metadata(folder), "")
    assert isinstance(loaded, SeedAveragedMiniLM) and loaded.seeds == [42, 43]
    assert loaded.predict(corpora["test"].tokens) == final.predict(corpora["test"].tokens)
