#!/bin/sh
# Re-extracts the French msgids, updates the English catalogue, fills it from en.json, compiles.
# Usage (from anywhere): rgpd_app/translations/update.sh
# A msgid without translation is listed at the end (exit status 1): add it to en.json and rerun.
set -eu
cd "$(dirname "$0")/../.."
BIN=${BIN:-.venv/bin}
DIR=rgpd_app/translations

"$BIN/pybabel" -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o "$DIR/messages.pot" .
"$BIN/python" "$DIR/catalogue.py" runtime "$DIR/messages.pot"
if [ -f "$DIR/en/LC_MESSAGES/messages.po" ]; then
    "$BIN/pybabel" -q update --no-fuzzy-matching --ignore-obsolete -i "$DIR/messages.pot" -d "$DIR" -l en
else
    "$BIN/pybabel" -q init -i "$DIR/messages.pot" -d "$DIR" -l en
fi
status=0
"$BIN/python" "$DIR/catalogue.py" fill "$DIR/en/LC_MESSAGES/messages.po" "$DIR/en.json" || status=$?
"$BIN/pybabel" -q compile -d "$DIR"
exit $status
