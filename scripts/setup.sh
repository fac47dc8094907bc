#!/usr/bin/env bash
# Installs what proweb needs to run: npm dependencies, redis-server and a Chromium.
# Called before every `npm test` and `npm run demo`, so the "all present" path must
# stay silent and fast: no network, no apt, no npm unless something is missing.
#
# Testing hooks (the defaults are the real thing):
#   PROWEB_SETUP_DRY_RUN=1           print what would be done, change nothing
#   PROWEB_SETUP_HEADLESS_SHELL=...  file that proves chromium-headless-shell is installed
#   PROWEB_SETUP_CHROMIUM=...        file that proves chromium is installed
#   PROWEB_SETUP_REDIS=...           command that proves redis-server is installed
#   PROWEB_SETUP_APT_GET=...         apt-get command (a missing name simulates a non-Debian host)
#   PROWEB_SETUP_UID=...             user id to act as (simulates a non-root user)
# PROWEB_CHROMIUM (a browser chosen by the user) skips the browser packages.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

dry_run="${PROWEB_SETUP_DRY_RUN:-}"
headless_shell="${PROWEB_SETUP_HEADLESS_SHELL:-/usr/lib/chromium/chromium-headless-shell}"
chromium="${PROWEB_SETUP_CHROMIUM:-/usr/bin/chromium}"
redis="${PROWEB_SETUP_REDIS:-redis-server}"
apt_get="${PROWEB_SETUP_APT_GET:-apt-get}"
uid="${PROWEB_SETUP_UID:-$(id -u)}"

say() { echo "setup: $*"; }
fail() { echo "setup: $*" >&2; exit 1; }

# --- npm dependencies -------------------------------------------------------
# The stamp records which lock file node_modules was installed from; a changed
# lock (pull, branch switch) triggers a clean reinstall.
stamp=node_modules/.proweb-lock.sha256
[[ -f package-lock.json ]] || fail "package-lock.json is missing; run 'npm install' once to create it."
if command -v sha256sum >/dev/null 2>&1; then
  lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
else
  lock_hash="$(shasum -a 256 package-lock.json | cut -d' ' -f1)"
fi
if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_hash" ]]; then
  if [[ -n "$dry_run" ]]; then
    say "would install npm dependencies (npm ci)"
  else
    say "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund ||
      fail "npm ci failed (see above). If it says package.json and package-lock.json are out of sync, run 'npm install' and commit the updated package-lock.json."
    # npm ci wipes node_modules, so the stamp can only be written afterwards.
    echo "$lock_hash" > "$stamp"
  fi
fi

# --- system packages --------------------------------------------------------
missing_packages() {
  local missing=()
  if [[ -z "${PROWEB_CHROMIUM:-}" ]]; then
    [[ -x "$headless_shell" ]] || missing+=(chromium-headless-shell)
    [[ -x "$chromium" ]] || missing+=(chromium)
  fi
  command -v "$redis" >/dev/null 2>&1 || missing+=(redis-server)
  echo "${missing[*]}"
}

missing="$(missing_packages)"
[[ -z "$missing" ]] && exit 0

if ! command -v "$apt_get" >/dev/null 2>&1; then
  fail "missing: $missing. There is no apt-get here: install the equivalent packages with your package manager (for the browser, setting PROWEB_CHROMIUM to a Chromium/Chrome binary also works), then run again."
fi
if [[ "$uid" != 0 ]]; then
  echo "setup: missing system packages: $missing. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
  exit 1
fi
if [[ -n "$dry_run" ]]; then
  say "would install $missing (apt-get)"
  exit 0
fi

say "installing $missing (apt-get)"
"$apt_get" update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive "$apt_get" install -y -qq --no-install-recommends $missing

still_missing="$(missing_packages)"
[[ -z "$still_missing" ]] || fail "apt-get finished but these are still missing: $still_missing. Check the apt output above."
