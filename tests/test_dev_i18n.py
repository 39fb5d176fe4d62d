"""Every user-facing string of development/ has a Simplified Chinese translation in
locale/_fragments/development.json, with the same placeholders, and nothing stale there."""

import ast
import json
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FRAGMENT = ROOT / "locale" / "_fragments" / "development.json"
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def msgids() -> set[str]:
    found = set()
    for path in (ROOT / "development").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = node.args[0]
            if name in GETTEXT_NAMES and isinstance(first, ast.Constant):
                found.add(first.value)
    return found


def test_every_msgid_has_a_chinese_translation_with_the_same_placeholders():
    own = json.loads(FRAGMENT.read_text())
    # Helpers' fragments (locale/_fragments/<name>.json) translate development/ strings too.
    translations = {}
    for path in sorted(FRAGMENT.parent.glob("*.json")):
        translations.update(json.loads(path.read_text()))
    translations.update(own)
    ids = msgids()
    assert len(ids) > 250
    missing = sorted(ids - set(translations))
    assert not missing, missing
    assert not sorted(set(own) - ids), "stale entries"
    for msgid in ids:
        text = translations[msgid]
        assert re.search(r"[\u4e00-\u9fff：]", text), msgid
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), msgid
