"""Field encryption (SM4-GCM) and blind indexes (HMAC-SM3) for personal data.

Ciphertext layout: version byte | 12-byte nonce | ciphertext | 16-byte tag. The version
byte lets keys rotate later without guessing which key sealed a value.
"""

import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16


@lru_cache(maxsize=4)
def _key(hex_value: str, name: str, length: int) -> bytes:
    try:
        key = bytes.fromhex(hex_value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be hex") from exc
    if len(key) < length:
        raise ImproperlyConfigured(f"{name} must hold at least {length} bytes")
    return key


def _field_key() -> bytes:
    return _key(settings.FIELD_ENCRYPTION_KEY, "FIELD_ENCRYPTION_KEY", 16)[:16]


def _index_key() -> bytes:
    return _key(settings.BLIND_INDEX_KEY, "BLIND_INDEX_KEY", 16)


def encrypt(plaintext: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_field_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return bytes([VERSION]) + nonce + body + encryptor.tag


def decrypt(sealed: bytes) -> str:
    sealed = bytes(sealed)
    if not sealed or sealed[0] != VERSION:
        raise ValueError("unknown ciphertext version")
    nonce = sealed[1 : 1 + NONCE_BYTES]
    body, tag = sealed[1 + NONCE_BYTES : -TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_field_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def blind_index(value: str, purpose: str) -> str:
    """A keyed hash for exact search and uniqueness; without the key it reveals nothing."""
    mac = crypto_hmac.HMAC(_index_key(), hashes.SM3())
    mac.update(purpose.encode() + b"\x00" + value.encode())
    return mac.finalize().hex()


def same_index(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
