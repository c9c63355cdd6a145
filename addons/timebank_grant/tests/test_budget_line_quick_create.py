from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import GrantHttpCase

MESSAGE = "A budget line belongs to a grant: add it on the Budget tab of the grant."


@tagged("post_install", "-at_install")
class TestBudgetLineQuickCreate(GrantHttpCase):
    """A budget line typed into an expenditure's Budget Line box (quick create)
    had no grant: a database error. It is made on the grant, and said so."""

    def test_quick_create_outside_a_grant_is_refused_with_a_message(self):
        Line = self.env["timebank.grant.line"].with_user(self.accountant)
        with self.assertRaisesRegex(UserError, MESSAGE):
            Line.name_create("Venue")

    def test_quick_create_over_xmlrpc_is_refused_with_the_message(self):
        with self.assertRaisesRegex(Exception, MESSAGE):
            self._call(self.accountant, "timebank.grant.line", "name_create", "Venue")

    def test_expenditure_form_offers_no_quick_create(self):
        view = self.env.ref("timebank_grant.timebank_grant_expense_view_form")
        arch = view.get_combined_arch()
        self.assertIn("'no_create': True", arch.split('name="line_id"')[1][:200])

    def test_a_line_added_on_the_grant_form_saves(self):
        grant = self._grant([("training", 1000, 0)])
        training = grant.line_ids.kind_id
        with Form(grant.with_user(self.accountant)) as form:
            with form.line_ids.new() as line:
                line.kind_id = training
                line.name = "Second session"
                line.subsidy_amount = 500
        self.assertEqual(len(grant.line_ids), 2)
        self.assertEqual(grant.line_ids[-1].currency_id, grant.currency_id)
