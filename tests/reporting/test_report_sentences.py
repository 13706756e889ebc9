"""Each claim the reports generate, on results that make it true and results that make it false."""

from __future__ import annotations

from tweetner_utils.data.corpora import corpus_spec
from tweetner_utils.reporting.summary.eda_text import overlap_sentence
from tweetner_utils.reporting.summary.routing_text import describe_routing, routing_lines, target_verdict

WNUT16 = corpus_spec("wnut16")


def routing(precision: float, threshold: float | None = 0.8) -> dict:
    side = {"auto_accepted_share": 0.4, "auto_accepted_precision": precision, "review_per_1000_tweets": 447.0}
    return {"min_precision": 0.8, "threshold": threshold, "dev": side, "test": side}


def test_the_routing_target_is_said_met_or_missed_by_the_test_precision():
    assert target_verdict(0.8, 0.8) == "which meets the 80.0% target chosen on dev"
    assert target_verdict(0.734, 0.8) == "which misses the 80.0% target chosen on dev by 6.6 points"
    assert "at 55.5% precision, which misses the 80.0% target chosen on dev by 24.5 points" in describe_routing(
        "Tuned SGD", routing(0.555)
    )
    assert "which meets the 80.0% target" in describe_routing("CRF", routing(0.85))
    assert "no confidence level reaches 80.0% precision on dev" in describe_routing("X", routing(0.9, None))


def test_the_summary_routing_sentence_carries_the_verdict():
    models = {"strong": {"label": "Ensemble", "details": {"routing": routing(0.734)}}}
    assert (
        "at 73.4% precision, which misses the 80.0% target chosen on dev by 6.6 points"
        in routing_lines(models, "strong", corpus=WNUT16)[0]
    )
    models["strong"]["details"]["routing"] = routing(0.81)
    assert "which meets the 80.0% target chosen on dev" in routing_lines(models, "strong", corpus=WNUT16)[0]


def test_the_threshold_is_said_to_be_on_calibrated_confidence_only_when_a_calibration_was_chosen():
    platt = {**routing(0.81), "calibration": {"kind": "platt", "a": 0.6, "b": -0.35}}
    none = {**routing(0.81), "calibration": {"kind": "identity"}}
    assert "entities with calibrated confidence ≥ 0.80" in describe_routing("CRF", platt)
    assert "entities with confidence ≥ 0.80" in describe_routing("CRF", none)
    models = {"strong": {"label": "Ensemble", "details": {"routing": platt}}}
    assert "entities with calibrated confidence ≥ 0.80" in routing_lines(models, "strong", corpus=WNUT16)[0]
    models["strong"]["details"]["routing"] = none
    assert "calibrated" not in routing_lines(models, "strong", corpus=WNUT16)[0]


def test_unseen_names_explain_a_dev_to_test_drop_only_when_test_has_fewer_seen_names():
    fewer = overlap_sentence({"dev": {"seen_pct": 14.0}, "test": {"seen_pct": 12.0}})
    assert "test has 2.0 points fewer known names, one reason a model can score lower on test" in fewer
    more = overlap_sentence({"dev": {"seen_pct": 12.3}, "test": {"seen_pct": 13.1}})
    assert "unseen names do not explain a drop from dev to test" in more and "+0.8 points" in more
    assert "explain a drop" not in fewer


def test_a_lead_says_when_the_models_learned_from_different_data():
    from tweetner_utils.reporting.summary.comparison import training_comparison

    strong = {"trained_on": {"data": "train + dev", "tweets": 3394}}
    baseline = {"trained_on": {"data": "train minus the validation split", "tweets": 1915}}
    unfair = training_comparison("Ensemble", strong, "Feature CRF", baseline)
    assert unfair == (
        " Not like for like: Ensemble learned from 3,394 labelled tweets (train + dev) only, Feature CRF from "
        "1,915 labelled tweets (train minus the validation split) only."
    )
    fair = training_comparison("Ensemble", strong, "CRF", {"trained_on": dict(strong["trained_on"])})
    assert (
        fair == " Both learned from the same 3,394 labelled tweets (train + dev)." and "Not like for like" not in fair
    )
    assert training_comparison("A", {}, "B", baseline) == ""


def test_a_lead_counts_the_tweets_a_teacher_tagged():
    from tweetner_utils.reporting.summary.comparison import training_comparison

    gold = {"data": "train + dev", "tweets": 3394}
    student = {"trained_on": gold | {"teacher_tweets": 10000}}
    crf = {"trained_on": dict(gold)}
    unfair = training_comparison("Ensemble", crf, "BiLSTM-CRF student", student)
    assert unfair == (
        " Not like for like: Ensemble learned from 3,394 labelled tweets (train + dev) only, BiLSTM-CRF student "
        "from 3,394 labelled tweets (train + dev) and 10,000 unlabelled tweets a teacher model tagged."
    )
    both = training_comparison("Ensemble", {"trained_on": dict(student["trained_on"])}, "Student", student)
    assert both == (
        " Both learned from the same 3,394 labelled tweets (train + dev), and each from 10,000 unlabelled tweets "
        "a teacher model tagged."
    )
    fewer = {"trained_on": gold | {"teacher_tweets": 2500}}
    assert "Ensemble learned from 3,394 labelled tweets (train + dev) and 10,000 unlabelled" in training_comparison(
        "Ensemble", student, "Student", fewer
    )


def leader(
    f1: float,
    precision: float | None,
    n_pred: int = 2944,
    n_correct: int = 1712,
    n_gold: int = 3473,
    half_width: float = 0.018,
) -> dict:
    entity = {
        "f1": f1,
        "ci_low": f1 - half_width,
        "ci_high": f1 + half_width,
        "n_pred": n_pred,
        "n_correct": n_correct,
        "n_gold": n_gold,
    }
    details = {"routing": routing(precision)} if precision is not None else {"routing": routing(0.9, None)}
    return {"label": "Ensemble", "splits": {"test": {"entity": entity}}, "details": details}


def test_the_decision_box_counts_per_1000_tweets_and_recommends_by_its_rule():
    from tweetner_utils.reporting.summary.decision import decide, decision_lines

    go = decide(leader(0.534, 0.81), 3850)
    assert (round(go.flagged), round(go.wrong), round(go.missed), round(go.review)) == (765, 320, 457, 447)
    lines = decision_lines(go)
    assert "flags **765 entities**, of which **320 are wrong**, and misses **457 real entities**" in lines[0]
    assert "F1 53.4% (95% interval 51.6%-55.2%): level with the best published offline system (InferNER" in lines[2]
    assert "0.1 points below it, but the interval includes its score" in lines[2]
    assert go.recommendation.startswith("Go ahead: accept high-confidence entities automatically")
    assistant = decide(leader(0.534, 0.73), 3850)
    assert assistant.recommendation.startswith("Go ahead as an assistant only")
    assert "right 73.0% of the time on test (target 80.0%)" in decision_lines(assistant)[3]
    no_threshold = decide(leader(0.534, None), 3850)
    assert no_threshold.recommendation.startswith("Go ahead as an assistant only") and no_threshold.review is None
    assert "every entity needs review" in decision_lines(no_threshold)[1]
    behind = decide(leader(0.44, 0.9), 3850)
    assert behind.recommendation.startswith("Do not deploy yet")
    assert "behind the best published offline system" in decision_lines(behind)[2]
    assert "9.5 points below it, and the whole interval lies below it" in decision_lines(behind)[2]
    assert all(d.rule.startswith("Rule: go ahead with automatic acceptance") for d in (go, assistant, behind))


def test_the_decision_box_puts_the_spread_after_the_f1_and_the_tradeoff_before_the_recommendation():
    from tweetner_utils.reporting.summary.decision import decide, decision_lines

    for precision in (0.81, None):  # with and without the auto-accepted precision line
        plain = decision_lines(decide(leader(0.534, precision), 3850))
        lines = decision_lines(decide(leader(0.534, precision), 3850), ["spread A", "spread B"], ["traded"])
        assert lines[2].startswith("Test entity F1") and lines[3:5] == ["spread A", "spread B"]
        assert lines[-3:] == ["traded", *plain[-2:]] and lines[-2].startswith("**Go ahead")
        assert [line for line in lines if line not in ("spread A", "spread B", "traded")] == plain


def test_the_decision_box_claims_a_lead_over_the_field_only_when_the_whole_interval_is_above_it():
    from tweetner_utils.reporting.summary.decision import decide, decision_lines

    ahead = decision_lines(decide(leader(0.5619, 0.81), 3850))[2]
    assert "ahead of the best published offline system (InferNER" in ahead
    assert "2.7 points above it, and the whole interval lies above it" in ahead
    point_ahead = decision_lines(decide(leader(0.5419, 0.81), 3850))[2]
    assert "level with the best published offline system" in point_ahead and "0.7 points above it" in point_ahead
    assert "ahead of" not in point_ahead


def test_the_decision_box_deploys_only_when_the_interval_lower_end_is_within_the_margin_of_the_field():
    from tweetner_utils.reporting.summary.decision import decide

    close_but_wide = decide(leader(0.52, 0.81, half_width=0.03), 3850)  # point within 2 points, interval not
    assert close_but_wide.recommendation.startswith("Do not deploy yet: the lower end of the model's 95% interval")
    close_and_narrow = decide(leader(0.52, 0.81, half_width=0.005), 3850)
    assert close_and_narrow.recommendation.startswith("Go ahead: accept high-confidence entities")
    assert "the lower end of the test F1's 95% interval is no more than 2 points below" in close_and_narrow.rule


def test_the_decision_box_compares_with_each_corpus_own_field_and_says_when_there_is_none():
    from tweetner_utils.reporting.summary.decision import decide, decision_lines

    wnut17 = decide(leader(0.50, 0.81), 1287, "wnut17")
    assert (
        "behind the best published offline system (BERTweet (Nguyen et al. 2020), 56.5%): 6.5 points below it"
        in (decision_lines(wnut17)[2])
    )
    assert wnut17.recommendation.startswith("Do not deploy yet")
    own = decide(leader(0.60, 0.81), 500, "brand_tweets")
    assert own.field_f1 is None and own.rule.startswith("Rule: with no published results for this corpus")
    assert "no published results on this corpus to compare with" in decision_lines(own)[2]
    assert own.recommendation.startswith("Go ahead as an assistant only: nothing published")
    assert decide(leader(0.60, 0.70), 500, "brand_tweets").recommendation.startswith("Do not deploy yet")


def test_the_calibration_sentence_says_whether_calibration_helped_on_test():
    from tweetner_utils.reporting.summary.calibration_text import calibration_sentence

    helped = calibration_sentence({"chosen": {"kind": "isotonic"}, "test_ece_before": 0.12, "test_ece_after": 0.04})
    assert helped.endswith("by 4.0 points after the isotonic calibration chosen on dev.") and "12.0 points" in helped
    failed = calibration_sentence({"chosen": {"kind": "platt"}, "test_ece_before": 0.05, "test_ece_after": 0.07})
    assert failed.endswith("does not reduce it on test (7.0 points).")
    kept = calibration_sentence({"chosen": {"kind": "identity"}, "test_ece_before": 0.03, "test_ece_after": 0.03})
    assert "found no calibration that helps" in kept
