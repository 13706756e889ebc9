"""The strong-model selection's settings: what ``04_strong_models`` tries (its parameters inherit them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .bilstm_crf import BilstmCrfSettings
from .seeding import Seeded
from .transformer import TransformerSettings

TRANSFORMER_STUDENT_ORDERS = ("mixed", "teacher_first")
"""How a MiniLM student meets the gold and the teacher's tweets (``models/transformer_students.py``)."""


@dataclass(frozen=True)
class StrongModelSettings(Seeded):
    """What the strong-model selection tries (``04_strong_models``'s parameters inherit them)."""

    crf_grid: list[list[float]] = field(default_factory=lambda: [[0.05, 0.05], [0.1, 0.1], [0.2, 0.05]])
    crf_max_iterations: int = 200
    wikidata: bool = True
    transformer: bool = True
    transformer_dir: str = ""
    transformer_max_epochs: int = TransformerSettings.max_epochs
    transformer_refit_epochs: int = 2
    """The refit on train + dev continues the train-only MiniLM this many epochs (instead of a
    second fine-tune from scratch); chosen on a split of dev (``TransformerTagger.continued``)."""
    transformer_refit_dev_copies: int = 2
    """How many times the continuation sees each dev tweet (train tweets once): dev is closer in
    time to test than train is. Chosen on a split of dev (fit on train + half 1, scored on half 2)."""
    transformer_seeds: int = 2
    """How many seeds (the run's and the next ones) the MiniLM member and its student average,
    dev choosing between the first seed alone and the average (``models/transformer_seeds.py``).
    Two by default: in a train-only exploration on WNUT16 the average lifted the leader's dev
    F1 from 51.67 to 52.59 (docs/benchmarks.md). Each seed more costs a member's fine-tuning and
    a student's continuation (about 14 minutes on 2 cores), their refits when dev takes them,
    and one more MiniLM per averaged member in every tagging pass of the leader; 1 for none."""
    bilstm_crf: bool = True
    bilstm_crf_max_epochs: int = BilstmCrfSettings.max_epochs
    unlabelled_sizes: list[int] = field(default_factory=lambda: [2500, 5000, 10000])
    """The learning curve: how many teacher-labelled unlabelled tweets each knowledge-CRF student
    learns from besides the gold ones (0, the CRF alone, is always a point); [] for no students."""
    bilstm_crf_student_sizes: list[int] = field(default_factory=lambda: [10000])
    """The BiLSTM-CRF students' curve (``models/bilstm_crf_students.py``): how many teacher-labelled
    tweets each learns from besides the gold ones (the BiLSTM-CRF member is the point 0); [] for
    none. Each point trains for about 45 seconds per thousand tweets, and its refit as long: one
    point, the knowledge-CRF curve's largest, because on WNUT16 it made the fast model (dev 46.64
    against the CRF student's 44.20; docs/benchmarks.md)."""
    bilstm_crf_student_max_epochs: int = 10
    """Epochs a BiLSTM-CRF student trains at most (dev stops it earlier): with thousands of
    teacher-labelled tweets an epoch holds several of the member's."""
    bilstm_crf_student_refit_epochs: int = 9
    """Epochs the chosen BiLSTM-CRF student trains in its refit on train + dev (and in a fit as
    chosen): N, exactly N; 0, the epochs early stopping kept on dev (the dev peak of its
    train-only fit). 9 by default: ``benchmarks/refit_epochs.py`` trains the refit's recipe on
    train + one half of dev and scores the other half after each epoch; on WNUT16 epoch 9 was
    the best of 1-10 on both halves (mean of 3 seeds 47.65 and 52.38, against 46.02 and 50.86
    at the epochs dev had kept; docs/benchmarks.md). The train-only fit's dev peak comes from
    fewer tweets and a noisy 1,000-tweet dev set."""
    bilstm_crf_student_hidden_dim: int = BilstmCrfSettings.hidden_dim
    """The students' LSTM width, both directions (by default the member's, 200). Narrower
    students tag faster, but on WNUT16 100 lost on dev (46.28 against 46.64) and gained only
    1.16-1.35x in ``benchmarks/predict.py``'s cold passes, not a clear margin over 3,000 tweets/s
    (docs/benchmarks.md, "A smaller LSTM for the BiLSTM-CRF student")."""
    bilstm_crf_student_soft: list[bool] = field(default_factory=lambda: [False])
    """Whether a BiLSTM-CRF student learns the teacher's tags (False), its probabilities (True),
    or, with both, dev chooses: the soft student is fit once, at the hard curve's best size.
    Tags only by default: on WNUT16 the soft student scored dev 45.40 against the hard one's
    46.64 (the same teacher labels and seed; docs/benchmarks.md), and costs 10 minutes more."""
    transformer_student_sizes: list[int] = field(default_factory=lambda: [10000, 20000])
    """The MiniLM students' curve (``models/transformer_students.py``): how many teacher-labelled
    tweets the MiniLM member continues over besides the gold ones (the member is the point 0);
    [] for none. On WNUT16 the teacher-first 10,000-tweet point took about 214 s (the member's
    fine-tuning 494 s); the teacher tags as many tweets as the largest point needs (about 100 a
    second, once: the labels are cached)."""
    transformer_student_epochs: int = 1
    """Epochs a MiniLM student continues the member's fit (a fresh warm-up and decay), per pass."""
    transformer_student_orders: list[str] = field(default_factory=lambda: ["teacher_first"])
    """How a MiniLM student meets the tweets (``transformer_students.ORDERS``), each tried at every
    size, dev choosing: the gold and teacher's tweets mixed, or the teacher's first and the gold
    ones after. Teacher-first only by default: on WNUT16 (10,000 tweets, the train-only fits)
    it scored dev 50.65 against mixed's 49.18 in the 552ea27 reports, at about the same seconds,
    and ``["mixed", "teacher_first"]`` costs a fit per size more (docs/benchmarks.md)."""
    unlabelled_min_confidences: list[float] = field(default_factory=lambda: [0.0, 0.5])
    """Confidence filters tried at the curve's best point (``models/distillation.py``)."""
    unlabelled_gold_copies: list[int] = field(default_factory=lambda: [1, 2])
    """Gold weights tried at the curve's best point: how many times a student sees each gold tweet."""
    labelling_shares: list[float] = field(default_factory=lambda: [0.1, 0.2, 0.4, 0.6, 1.0])
    """What more labels would buy (``evaluation/labelling.py``): the knowledge CRF's learning curve
    over these shares of train, each fit once per ``labelling_seeds`` (all of train once); [] for none."""
    labelling_seeds: list[int] = field(default_factory=lambda: [1, 2, 3])
    labelling_simulation_seeds: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5])
    """The active-learning simulation's seeds (every strategy's path once per seed): more than the
    curve's, because a strategy's gain over random is a difference of two noisy paths. On WNUT16,
    three seeds left the gain's interval across zero; five show it (``docs/benchmarks.md``) and
    are what fits the analysis's 3 minutes."""
    labelling_start: int = 300
    """The active-learning simulation: train tweets labelled at the start, then ``labelling_rounds``
    rounds of ``labelling_batch`` tweets picked by each strategy."""
    labelling_batch: int = 300
    labelling_rounds: int = 3
    labelling_max_iterations: int = 60
    """L-BFGS iterations of every fit of the curve and the simulation (the saved CRF has
    ``crf_max_iterations``): what keeps them within a few minutes."""
    ensemble_step: float = 0.1
    """Resolution of the ensemble-weight grid searched on dev."""
    device: str = TransformerSettings.device
    """Where the transformer trains and predicts: ``auto`` (a CUDA GPU when PyTorch sees one), ``cpu``, ``cuda``."""

    def __post_init__(self) -> None:
        """A misspelt order, a seed count below one or negative epochs fail here, before the hour
        of fitting that precedes their use."""
        if self.bilstm_crf_student_refit_epochs < 0:
            raise ValueError(
                f"bilstm_crf_student_refit_epochs {self.bilstm_crf_student_refit_epochs!r}: expected 0 "
                "(the epochs dev chose) or a number of epochs"
            )
        if self.transformer_seeds < 1:
            raise ValueError(f"transformer_seeds {self.transformer_seeds!r}: expected 1 or more")
        unknown = [order for order in self.transformer_student_orders if order not in TRANSFORMER_STUDENT_ORDERS]
        if unknown or not self.transformer_student_orders:
            raise ValueError(
                f"transformer_student_orders {self.transformer_student_orders!r}: expected one or more of "
                f"{', '.join(TRANSFORMER_STUDENT_ORDERS)}"
            )

    def student_sizes(self) -> list[int]:
        """Every curve point of the students that will be fit (a member's students only when the
        member is): the teacher tags as many tweets as the largest needs, once for all of them."""
        sizes = list(self.unlabelled_sizes)
        if self.bilstm_crf:
            sizes += self.bilstm_crf_student_sizes
        if self.transformer:
            sizes += self.transformer_student_sizes
        return sizes
