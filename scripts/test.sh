#!/usr/bin/env bash
# Run every test: lint, pytest (the server extension), Jest (against real
# Kernel Gateways and JupyterLab) and the Playwright suite (real Chromium,
# real JupyterLab, real Kernel Gateways).
# Sets everything up first (scripts/setup.sh --for-tests); starts and stops
# every server it uses. Exit status 0 only if all pass.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/setup.sh --for-tests
export PATH="$ROOT/.venv/bin:$PATH"

printf '\n==> Lint (ESLint, Prettier, Stylelint, TypeScript; ruff for Python)\n'
npm run --silent lint:check
ruff check .
ruff format --check .

printf '\n==> pytest (the server extension, on real Jupyter Servers)\n'
python -m pytest -q

printf '\n==> Jest (real Kernel Gateways)\n'
npx jest --ci

printf '\n==> Playwright (Debian Chromium, real JupyterLab and Kernel Gateways)\n'
(cd ui-tests && npx playwright test)
node scripts/fault-table.js

scripts/test-jupyterlab-versions.sh --skip-newest-smoke

printf '\n==> The three install routes of the README\n'
scripts/check-install-routes.sh

printf '\nAll tests passed.\n'
