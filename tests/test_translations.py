"""Every user-facing string of every addon has its zh_TW and zh_CN text."""

from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

ADDONS = Path(__file__).resolve().parent.parent / "addons"
LANGUAGES = ("zh_TW", "zh_CN")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_po_files_cover_every_term(self):
        addons = sorted(p.parent.name for p in ADDONS.glob("*/__manifest__.py"))
        self.assertTrue(addons)
        for addon in addons:
            terms = {
                source
                for module, _type, _name, _res_id, source, _value, _comments in (
                    TranslationModuleReader(self.env.cr, modules=[addon])
                )
                if module == addon and source
            }
            self.assertTrue(terms, f"{addon} has no translatable terms")
            for lang in LANGUAGES:
                with self.subTest(addon=addon, lang=lang):
                    path = ADDONS / addon / "i18n" / f"{lang}.po"
                    self.assertTrue(path.exists(), f"{path.name} is missing in {addon}")
                    po = polib.pofile(str(path))
                    translated = {
                        e.msgid
                        for e in po
                        if e.msgstr and not e.obsolete and not e.fuzzy
                    }
                    missing = sorted(terms - translated)
                    self.assertFalse(
                        missing,
                        f"{addon}/i18n/{lang}.po lacks translations for {missing}",
                    )
