#!/usr/bin/env bash
# Set-up shared by the README's commands: Debian packages when missing, the virtualenv, the
# project installed into it. Safe to run again: each step checks before it acts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export LANG="${LANG:-C.UTF-8}"
[ "$LANG" = "C" ] || [ "$LANG" = "POSIX" ] && export LANG=C.UTF-8

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to install: $*" >&2; return 1; fi
}

missing=()
have_pkg() { dpkg -s "$1" >/dev/null 2>&1; }
# PostgreSQL server binaries (initdb, pg_ctl) for the throwaway test clusters.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# The app's typeface on Linux: Noto Sans CJK TC for Chinese and Noto Sans for Latin, each with
# a real bold (the screens and the phone-page screenshots are drawn with them).
have_pkg fonts-noto-cjk || missing+=(fonts-noto-cjk)
have_pkg fonts-noto-core || missing+=(fonts-noto-core)
# A Chromium for the phone-page tests (tests/browser), driven by Playwright: the system's,
# never a downloaded one. Debian packages it; Ubuntu only has a snap, so there point
# OMO_CHROMIUM at a Chromium or Chrome binary, a path or a name on PATH
# (OMO_ALLOW_NO_BROWSER=1 skips those tests).
if ! command -v "${OMO_CHROMIUM:-/usr/bin/chromium}" >/dev/null && ! have_pkg chromium; then
  if [ "$(. /etc/os-release 2>/dev/null && echo "${ID:-}")" = "debian" ]; then
    missing+=(chromium)
  else
    echo "setup: no Chromium at ${OMO_CHROMIUM:-/usr/bin/chromium}; set OMO_CHROMIUM" >&2
  fi
fi
# nginx runs deploy/nginx/omo-counter.conf in front of a test backend (tests/api/test_reverse_proxy.py).
command -v nginx >/dev/null || have_pkg nginx-light || missing+=(nginx-light)
for pkg in ${OMO_EXTRA_DEBS:-}; do have_pkg "$pkg" || missing+=("$pkg"); done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian package starts a system cluster we don't use; tests start their own.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
    as_root service postgresql stop >/dev/null 2>&1 || true
  fi
  # Nor the nginx its package starts: the proxy test starts its own on free ports.
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    as_root service nginx stop >/dev/null 2>&1 || true
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating virtualenv in .venv"
  python3 -m venv "$VENV"
fi

# Reinstall only when the dependencies changed.
stamp="$VENV/.omo-installed"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the project and its dependencies into .venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]"
  echo "$want" > "$stamp"
fi

# The app's translations: .ts sources in resources/i18n, compiled to .qm here.
"$VENV/bin/python" -m omo_desktop.i18n >/dev/null
# The phone pages' translations: .po sources in omo_backend/pages/locale, compiled to .mo here.
"$VENV/bin/python" -m omo_backend.pages.i18n >/dev/null
