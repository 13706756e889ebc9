"""Stage 6, pipeline: the notebooks' configs and ``run_all.py``'s ordered steps, build folder and manifest."""
