"""Stage 4, analysis: descriptive statistics of the corpora and the drift between them (no models)."""
