"""Keys for the embedded default, kept in a file beside (not inside) the database."""

import secrets
from pathlib import Path

KEY_NAMES = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": lambda: secrets.token_hex(16),  # SM4 takes 128-bit keys
    "BLIND_INDEX_KEY": lambda: secrets.token_hex(32),
}


def load_or_create_local_keys(path: Path) -> dict[str, str]:
    keys: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            if name and value:
                keys[name.strip()] = value.strip()
    missing = {name: make() for name, make in KEY_NAMES.items() if name not in keys}
    if missing:
        keys.update(missing)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{name}={value}\n" for name, value in keys.items()))
        path.chmod(0o600)
    return keys
