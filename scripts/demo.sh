#!/usr/bin/env bash
# `make demo`: create the demo lab on first run, then serve it in the foreground.
# Usage: demo.sh QIUSUO_BINARY DATA_DIR HOST:PORT
set -euo pipefail
QS=$1 DATA=$2 LISTEN=$3
if [ ! -f "$DATA/qiusuo.db" ]; then
  "$QS" init --data "$DATA" --demo
else
  echo "Using the existing lab in $DATA (delete the folder for a fresh demo)."
fi
BIN_DIR=$(cd "$(dirname "$QS")" && pwd)
cat <<MSG

Open http://$LISTEN in a browser (sign in as ada, password qiusuo-demo-2026),
or try it from another terminal:
  export PATH="$BIN_DIR:\$PATH" QIUSUO_SERVER=http://$LISTEN
  qiusuo login --handle ada            # demo password: qiusuo-demo-2026
  qiusuo project list
Stop the server with Ctrl-C.

MSG
exec "$QS" serve --data "$DATA" --listen "$LISTEN"
