# Shared by bin/run and bin/test: install what the project needs on a Debian machine.
# Idempotent: each step checks first, so a second run is quick.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root to run: $*" >&2; return 1; fi
}

apt_install() {
  # Install the Debian packages that are missing; update the index once, only when needed.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  # $1: pip extras, e.g. "" or "[dev]"
  if ! "$PY" -c "import venv, ensurepip" 2>/dev/null; then apt_install python3-venv; fi
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  local stamp="$VENV/.installed$1"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    echo "==> Installing the project into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
    # setuptools is chatty about package data; keep its output for when something fails.
    if ! "$VENV/bin/python" -m pip install -q -e "$ROOT$1" >"$VENV/pip.log" 2>&1; then
      cat "$VENV/pip.log" >&2; echo "pip install failed (log above)" >&2; return 1
    fi
    "$VENV/bin/python" -c "import catalog, integrations; integrations.IMPORTERS" >/dev/null
    touch "$stamp"
  fi
  # An editable install leaves our own modules uncompiled, and where PYTHONDONTWRITEBYTECODE is
  # set Python never caches them: every `martech` run would recompile them (0.2 s measured).
  # compileall skips what is up to date, so this is quick on a second run.
  "$VENV/bin/python" -m compileall -q "$ROOT/catalog" "$ROOT/integrations" "$ROOT/config.py" >/dev/null
}
