"""MiniLM from several seeds, averaged: the MiniLM member and its student fine-tuned again from
other seeds, their word distributions averaged with equal weights, dev choosing.

Why: one MiniLM fine-tuned on 3,394 tweets varies with its seed by about a point of dev F1, and
an average of two seeds is steadier than either. On WNUT16 dev, a second seed averaged into
both the member and its student lifted the leading ensemble from 51.67 to 52.59, and averaging
the student alone gave 52.39 (``docs/benchmarks.md``, "A second MiniLM seed, averaged").

The other seeds come after the students were taught, so the teacher (the configuration chosen
before them) is unchanged and no tweet is labelled again. Each seed's member stops early on dev
on its own; each seed's student continues its own seed's member with the recipe dev chose on
the first seed, over the same teacher labels; each seed's refit does what the first seed's does.
The leading model takes the averages only when dev says so (``selection``). Each seed more
costs a member's fine-tuning and a student's continuation, and adds one MiniLM per averaged
member to every tagging pass of the leader.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import cast

from .bio_decoding import decode_all
from .ensemble import average_distributions
from .family import FitContext, MemberFit
from .seed_average import MiniLM, SeedAveragedMiniLM, averaged_settings, seeded_context, seeds
from .transformer import TransformerTagger
from .transformer_students import SPLITS, TransformerStudents


@dataclasses.dataclass
class OtherSeeds:
    """The MiniLM member (and the chosen student) fit again from the seeds after the first, and
    the seed-averaged candidates made from them and the first seed's."""

    members: list[MemberFit]
    """Each other seed's member, fit on train (early stopping on dev)."""
    averaged: dict[str, MemberFit]
    """The candidate seed averages by family: the member's and, when dev chose one, the student's."""
    member_refits: list[TransformerTagger] = dataclasses.field(default_factory=list)
    """Each other seed's member refit on train + dev, once asked for (:meth:`other_refits`)."""

    def other_refits(self, refit: Callable[[MemberFit], TransformerTagger]) -> list[TransformerTagger]:
        """Each other seed's member refit on train + dev (``refit`` of its train-only fit, run once)."""
        if not self.member_refits:
            self.member_refits = [refit(member) for member in self.members]
        return self.member_refits

    def member_refit(self, first: TransformerTagger, refit: Callable[[MemberFit], TransformerTagger]) -> MiniLM:
        """The averaged member's refit: the first seed's (``first``) and every other seed's."""
        return SeedAveragedMiniLM([first, *self.other_refits(refit)])

    def student_refit(
        self,
        first: TransformerTagger,
        students: TransformerStudents,
        refit: Callable[[MemberFit], TransformerTagger],
        context: FitContext,
    ) -> MiniLM:
        """The averaged student's refit: the first seed's (``first``, whose refit had the final
        teacher label the tweets) and each other seed's member refit continued over train + dev
        and the same final labels."""
        assert students.final_taught is not None, "the first seed's student refit labels the tweets first"
        both = context.train_and_dev()
        others = [
            students.refit(start, (both.tokens, both.tags), students.final_taught, context.log)
            for start in self.other_refits(refit)
        ]
        return SeedAveragedMiniLM([first, *others])


def fit_other_seeds(
    context: FitContext,
    member: MemberFit,
    fit_member: Callable[[FitContext], MemberFit],
    students: TransformerStudents | None,
) -> OtherSeeds:
    """The seeds after the first (``context.settings.transformer_seeds`` in all): each one's
    member (``fit_member``, early stopping on dev) and, when ``students`` chose one that learnt
    from teacher tweets, its student; then the equal-weight averages as candidate members."""
    seed_list = seeds(context.settings.seed, context.settings.transformer_seeds)
    others = []
    for seed in seed_list[1:]:
        context.log(f"MiniLM seed {seed} (of {', '.join(map(str, seed_list))}): fine-tuning on train, dev decides")
        others.append(fit_member(seeded_context(context, seed)))
    epochs = [fit.settings["epochs"] for fit in (member, *others)]
    averaged = {member.name: _average(member, others, averaged_settings(member.settings, seed_list, epochs), context)}
    if students is not None and students.chosen.unlabelled:
        chosen, train = students.chosen.member, (context.train.tokens, context.train.tags)
        taught = []
        for seed, other in zip(seed_list[1:], others):
            context.log(f"MiniLM seed {seed}: its student ({students.chosen.name})")
            started = time.perf_counter()
            model = students.refit(cast(TransformerTagger, other.model), train, students.taught, context.log)
            taught.append(_scored(chosen, model, time.perf_counter() - started, context))
        averaged[chosen.name] = _average(chosen, taught, averaged_settings(chosen.settings, seed_list), context)
    return OtherSeeds(others, averaged)


def _average(first: MemberFit, others: Sequence[MemberFit], settings: dict, context: FitContext) -> MemberFit:
    """The seed average of ``first`` and ``others`` as a candidate member: its model, its mean
    dev and test distributions and their scores, the seconds of every seed's fit."""
    fits = [first, *others]
    weights = [1.0] * len(fits)
    dev, test = (average_distributions([getattr(f, split) for f in fits], weights) for split in SPLITS)
    model = SeedAveragedMiniLM([cast(TransformerTagger, f.model) for f in fits])
    dev_f1, test_f1 = (context.f1(split, decode_all(found, model.labels)) for split, found in zip(SPLITS, (dev, test)))
    return MemberFit(first.name, model, dev, test, dev_f1, test_f1, sum(f.fit_seconds for f in fits), settings)


def _scored(like: MemberFit, model: TransformerTagger, seconds: float, context: FitContext) -> MemberFit:
    """``model`` as a candidate member like ``like`` (its family and settings), scored on dev and test."""
    dev, test = (model.predict_proba(context.corpora[split].tokens) for split in SPLITS)
    dev_f1, test_f1 = (context.f1(split, decode_all(found, model.labels)) for split, found in zip(SPLITS, (dev, test)))
    return MemberFit(like.name, model, dev, test, dev_f1, test_f1, seconds, like.settings)
