"""pytest plugins and helpers of PartyAdmin's suite (registered from tests/conftest.py)."""
