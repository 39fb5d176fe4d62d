"""Refresh the Chinese catalogue: collect msgids, merge translations handed in as JSON, and
compile the .mo files with polib, so neither running nor testing needs GNU gettext."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
FRAGMENTS = Path(settings.BASE_DIR) / "locale" / "_fragments"
IGNORE = [".venv", "var", "staticfiles", "test-artifacts", "bench", "tests"]


class Command(BaseCommand):
    help = "Collect msgids (needs xgettext), merge locale/_fragments/*.json, compile .mo files."

    def add_arguments(self, parser):
        parser.add_argument("--no-collect", action="store_true", help="only merge and compile")

    def handle(self, *args, no_collect: bool = False, **options):
        import polib

        if not no_collect:
            call_command(
                "makemessages",
                locale=["zh_Hans"],
                ignore_patterns=IGNORE,
                no_obsolete=True,
                verbosity=0,
            )
        catalogue = polib.pofile(str(CATALOGUE))
        for entry in catalogue:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")  # fuzzy guesses are wrong more often than right
                entry.msgstr = ""
        merged = self._merge_fragments(catalogue)
        catalogue.metadata.setdefault("Language", "zh_Hans")
        catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        catalogue.save()
        catalogue.save_as_mofile(str(CATALOGUE.with_suffix(".mo")))
        missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
        self.stdout.write(f"merged {merged}; untranslated {len(missing)}")
        for msgid in missing:
            self.stdout.write(f"  untranslated: {msgid!r}")

    def _merge_fragments(self, catalogue) -> int:
        merged = 0
        for path in sorted(FRAGMENTS.glob("*.json")):
            for msgid, msgstr in json.loads(path.read_text()).items():
                entry = catalogue.find(msgid)
                if entry is None or not msgstr:
                    continue
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: msgstr}  # Chinese has one plural form
                else:
                    entry.msgstr = msgstr
                merged += 1
        return merged
