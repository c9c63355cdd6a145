"""Minutes read and typed as h:mm in the back end (a real browser)."""

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
