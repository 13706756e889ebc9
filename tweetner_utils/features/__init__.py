"""Stage 2, features: what a linear model or CRF sees of each token (orthography, gazetteers, clusters)."""
