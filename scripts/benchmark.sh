#!/usr/bin/env bash
# Benchmark the direct route (this extension) against Jupyter Server's
# gateway proxy, a local kernel and a plain Node websocket client, on
# 127.0.0.1 with Debian Chromium. Not part of the tests. Writes
# docs/benchmark.md (docs/benchmark-quick.md with --quick).
#
#   scripts/benchmark.sh [--quick]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh --for-tests
export PATH="$ROOT/.venv/bin:$PATH"
exec node benchmark/run.js "$@"
