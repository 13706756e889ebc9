"""Stage 4, evaluation: scores per split, error kinds, confidence routing and seed stability of a model."""
