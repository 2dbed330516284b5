# Sourced by scripts/run and scripts/test: create or update .venv from a requirements file.
# Usage: ensure_venv requirements.txt
ensure_venv() {
  local requirements="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    echo ">> Creating .venv" >&2
    "$python" -m venv .venv
  fi
  # Reinstall only when the requirement files changed since the last install.
  local stamp=".venv/.installed-$(basename "$requirements")"
  local digest
  digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo ">> Installing $requirements into .venv" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" 2>&1 \
      | grep -v "^WARNING: Location 'file://" >&2 || true
    .venv/bin/python -m pip check >/dev/null
    echo "$digest" > "$stamp"
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
  export FLASK_APP=app
}
