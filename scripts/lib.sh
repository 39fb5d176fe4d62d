# Shared helpers for scripts/run, scripts/test and .ci/run. Source it; don't run it.
# shellcheck shell=bash

# Some CI environments run without HOME; pip --user and uv's cache need one.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"

say() { printf '\n==> %s\n' "$*" >&2; }

# Make `uv` available. Order: already on PATH; installed earlier by this function;
# `python3 -m pip install --user uv`; a private bootstrap venv; as root, Debian's pip first.
ensure_uv() {
    local bootstrap="$HOME/.local/share/partyadmin-bootstrap"
    export PATH="$HOME/.local/bin:$bootstrap/bin:$PATH"
    command -v uv >/dev/null 2>&1 && return 0

    say "uv is missing: installing it from PyPI (python3 -m pip install --user uv)"
    if ! python3 -m pip --version >/dev/null 2>&1 && ! python3 -m venv --help >/dev/null 2>&1; then
        # Debian ships pip and venv separately from python3.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq && apt-get install -y -qq python3-pip python3-venv >/dev/null
        fi
    fi
    if python3 -m pip --version >/dev/null 2>&1; then
        # --break-system-packages only matters on an "externally managed" Debian python3,
        # and a --user install does not touch Debian's own packages.
        python3 -m pip install --quiet --user uv 2>/dev/null ||
            python3 -m pip install --quiet --user --break-system-packages uv || true
    fi
    if ! command -v uv >/dev/null 2>&1; then
        { python3 -m venv "$bootstrap" && "$bootstrap/bin/python" -m pip install --quiet uv; } || true
    fi
    if ! command -v uv >/dev/null 2>&1; then
        echo "error: could not install uv; install pip for python3 (apt-get install python3-pip)" >&2
        return 1
    fi
    uv --version >&2
}
