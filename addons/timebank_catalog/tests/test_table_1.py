from odoo.tests import Form, tagged

from odoo.addons.timebank_core.tests.common import TimebankCase
from odoo.addons.timebank_core.tests.test_catalog import TABLE_1


@tagged("post_install", "-at_install")
class TestTable1(TimebankCase):
    def _catalog(self):
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "timebank_catalog"),
                ("model", "=", "timebank.service.item"),
            ]
        )
        return (
            self.env["timebank.service.item"]
            .browse(data.mapped("res_id"))
            .sorted(lambda i: (i.category_id.sequence, i.sequence))
        )

    def test_installed_without_demo_is_table_1(self):
        """The catalog is data, not demo: a bank installed without demo has it."""
        items = self._catalog()
        rows = [
            (i.category_id.name, i.name, i.coefficient, i.cap_minutes / 60)
            for i in items
        ]
        self.assertEqual(rows, TABLE_1)
        self.assertEqual(len(items.category_id), 4)
        self.assertEqual(items.company_id, self.env.ref("base.main_company"))

    def test_noupdate_keeps_the_bank_changes(self):
        """The records are noupdate: an update of the addon keeps the bank's edit."""
        data = self.env.ref(
            "timebank_catalog.timebank_service_item_general_cleaning"
        ).get_metadata()[0]
        self.assertTrue(data["noupdate"])

    def test_chosen_in_the_settings(self):
        settings = Form(self.env["res.config.settings"])
        self.assertTrue(settings.module_timebank_catalog)
