"""The embedded default: SQLite, tasks in-process, e-mail to the console, keys in var/."""

from core.keyfile import load_or_create_local_keys

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
VAR_DIR.mkdir(parents=True, exist_ok=True)
_keys = load_or_create_local_keys(VAR_DIR / "keys.env")
SECRET_KEY = SECRET_KEY or _keys["SECRET_KEY"]  # noqa: F405
FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or _keys["FIELD_ENCRYPTION_KEY"]  # noqa: F405
BLIND_INDEX_KEY = BLIND_INDEX_KEY or _keys["BLIND_INDEX_KEY"]  # noqa: F405
# runserver serves static files from the finders; give WhiteNoise an existing root.
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
