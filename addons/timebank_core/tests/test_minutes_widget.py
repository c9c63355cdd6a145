"""Minutes read and typed as h:mm in the back end (a real browser)."""

from lxml import etree

from odoo.tests import HttpCase, tagged

from .common import TimebankCase, post_opening_balance


@tagged("post_install", "-at_install")
class TestMinutesWidget(TimebankCase, HttpCase):
    def test_a_manager_types_a_limit_as_hours_and_minutes(self):
        member = self._member("Widget Elder Wu", active=True)
        member.has_own_credit_limit = True
        self.start_tour(
            f"/odoo/action-timebank_core.timebank_member_action/{member.id}",
            "timebank_minutes_widget",
            login="tb_manager",
        )
        self.assertEqual(member.credit_limit, 150)

    def test_ledger_lines_and_totals_read_as_hours_and_minutes(self):
        member = self._member("Widget Volunteer Lo", active=True)
        post_opening_balance(self.env, member, 90)
        self.start_tour(
            "/odoo/action-timebank_core.timebank_entry_line_action?view_type=list",
            "timebank_minutes_list",
            login="tb_broker",
        )

    def test_ledger_analysis_reads_as_hours_and_minutes(self):
        member = self._member("Widget Pivot Chen", active=True)
        post_opening_balance(self.env, member, 90)
        self.start_tour(
            "/odoo/action-timebank_core.timebank_entry_line_action",
            "timebank_minutes_pivot",
            login="tb_broker",
        )


class TestMinutesInAnalysis(TimebankCase):
    """No pivot or graph of the time bank offers a measure in raw minutes."""

    MINUTE_FIELDS = ("minutes", "debit", "credit", "amount", "balance")

    def test_every_minute_measure_has_the_hours_widget(self):
        views = self.env["ir.ui.view"].search(
            [("type", "in", ("pivot", "graph")), ("model", "=like", "timebank.%")]
        )
        self.assertTrue(views)
        for view in views:
            model = self.env[view.model]
            arch = model.get_view(view.id, view.type)["arch"]
            doc = etree.fromstring(arch)
            shown = {
                node.get("name"): node
                for node in doc.iter("field")
                if node.get("invisible") not in ("1", "True")
            }
            for name, field in model._fields.items():
                if (
                    field.type in ("integer", "float")
                    and field.store
                    and field.aggregator
                    and name != "id"
                    and name.endswith(self.MINUTE_FIELDS)
                ):
                    node = shown.get(name)
                    hidden = name not in shown and any(
                        n.get("name") == name for n in doc.iter("field")
                    )
                    with self.subTest(view=view.xml_id, field=name):
                        self.assertTrue(
                            hidden or (node is not None and node.get("widget")),
                            f"{view.xml_id}: {name} would show raw minutes",
                        )
