#!/usr/bin/env bash
# Install tweetner as a user would, outside this checkout, and tag tweets with a saved model.
#
#   bash scripts/check_install.sh [MODEL_FOLDER]
#
# Creates a fresh virtual environment in a temporary folder, installs this checkout into it
# with `pip install PATH` (not editable: the package is copied, nothing points back here),
# then, from that temporary folder:
#   - checks that the base install leaves out the report pipeline and Dask (the extras),
#   - tags two tweets with MODEL_FOLDER given by path (default: this checkout's
#     models/strong_crf, which `make reports` writes), scores it on a labelled tweet and
#     exports a review queue: predict, evaluate and review need nothing but the base,
#   - checks that `--model best`, with no models folder set, fails with one clear line.
# The knowledge CRF looks up gazetteers and clusters: set TWEETNER_DATA_DIR to your data
# folder (`make` sets it on our machines), else they are downloaded into the user cache.
# Takes a few minutes: pip downloads the pinned dependencies unless its cache has them.
set -euo pipefail

checkout=$(cd "$(dirname "$0")/.." && pwd)
model=$(realpath "${1:-$checkout/models/strong_crf}")
python=${PYTHON:-$(command -v python3.11 || command -v python3)}
[[ -f "$model/metadata.json" ]] || { echo "check_install: no saved model in $model (run \`make reports\` first)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "==> fresh venv in $work, pip install $checkout (not editable)"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$checkout"
cd "$work"

echo "==> the base install leaves out the extras"
"$work/venv/bin/python" - <<'PY'
import importlib.util, sys
present = [m for m in ("papermill", "nbconvert", "matplotlib", "seaborn", "distributed") if importlib.util.find_spec(m)]
import tweetner_utils
print(f"tweetner_utils from {tweetner_utils.__file__}")
sys.exit(f"check_install: the base install pulled in {present}" if present else 0)
PY

echo "==> tweetner predict --model $model (from $work)"
printf 'Justin Bieber is in London tonight\nwatching the Lakers game at Staples Center\n' > tweets.txt
"$work/venv/bin/tweetner" predict --model "$model" tweets.txt | tee tagged.jsonl
[[ $(wc -l < tagged.jsonl) -eq 2 ]] || { echo "check_install: expected 2 tagged lines" >&2; exit 1; }

echo "==> tweetner evaluate and review export with the same model"
printf 'Justin\tB-person\nBieber\tI-person\nis\tO\nin\tO\nLondon\tB-geo-loc\n' > gold.conll
"$work/venv/bin/tweetner" evaluate --model "$model" gold.conll
"$work/venv/bin/tweetner" review export --model "$model" --all tweets.txt -o queue.json
[[ -s queue.json && -s queue.label_config.xml ]] || { echo "check_install: no review queue written" >&2; exit 1; }

echo "==> tweetner predict --model best, no models folder set"
if env -u TWEETNER_MODELS_DIR "$work/venv/bin/tweetner" predict --model best tweets.txt 2> error.txt; then
    echo "check_install: --model best found a models folder outside any checkout" >&2; exit 1
fi
cat error.txt
grep -q "no models folder: give --models-dir DIR or set \$TWEETNER_MODELS_DIR" error.txt
[[ $(wc -l < error.txt) -eq 1 ]]
echo "check_install: OK"
