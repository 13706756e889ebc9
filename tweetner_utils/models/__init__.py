"""Stage 3, models: every tagger (same ``Tagger`` protocol), their decoding, saving, and selection on dev."""
