from datetime import date, datetime, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import AssemblyCase


@tagged("post_install", "-at_install")
class TestAssembly(AssemblyCase):
    def test_convocation_sent_to_active_members(self):
        withdrawn = self._member("Frank Su", active=True)
        withdrawn.action_withdraw()
        assembly = self._assembly()
        assembly.action_convene()
        self.assertEqual(assembly.state, "convened")
        self.assertTrue(assembly.convocation_date)
        message = assembly.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertIn("Accounts of the year", message.body)
        self.assertEqual(
            set(message.partner_ids.ids),
            set(
                (self.amy | self.bob | self.carol | self.dan | self.eve).partner_id.ids
            ),
        )

    def test_convocation_too_late_refused(self):
        assembly = self._assembly(date=datetime.now() + timedelta(days=3))
        with self.assertRaisesRegex(UserError, "at least 14 days before"):
            assembly.action_convene()

    def test_quorum_reached(self):
        assembly = self._in_session()
        self.assertEqual(assembly.eligible_count, 5)
        self.assertEqual(assembly.quorum_count, 3)
        self._attend(assembly, self.amy)
        self._attend(assembly, self.bob)
        self.assertFalse(assembly.quorum_reached)
        self._attend(assembly, self.carol, proxy=self.amy)
        self.assertTrue(assembly.quorum_reached)
        self.assertEqual(assembly.present_count, 2)
        self.assertEqual(assembly.represented_count, 1)

    def test_quorum_not_reached_no_vote(self):
        assembly = self._in_session()
        self._attend(assembly, self.amy)
        self._attend(assembly, self.bob)
        accounts = assembly.item_ids.filtered(lambda i: i.kind == "accounts")
        self._vote(accounts, self.amy, "for")
        self.assertFalse(assembly.quorum_reached)
        with self.assertRaisesRegex(
            UserError, "quorum is not reached: 2 members present or represented, 3"
        ):
            accounts.action_close_vote()
        self.assertEqual(accounts.result, "pending")

    def test_proxy_over_the_maximum_refused(self):
        assembly = self._in_session()
        self._attend(assembly, self.amy)
        self._attend(assembly, self.bob, proxy=self.amy)
        with self.assertRaisesRegex(
            ValidationError, "may hold at most 1 proxies at this assembly"
        ):
            with self.env.cr.savepoint():
                self._attend(assembly, self.carol, proxy=self.amy)
        # the proxies per member are those of the convocation
        with self.assertRaisesRegex(UserError, "quorum, proxies and notice are those"):
            assembly.max_proxies = 2
        wider = self._assembly(max_proxies=2)
        wider.action_convene()
        self._open(wider)
        self._attend(wider, self.amy)
        self._attend(wider, self.bob, proxy=self.amy)
        self._attend(wider, self.carol, proxy=self.amy)
        self.assertEqual(wider.represented_count, 2)

    def test_proxy_holder_must_be_present(self):
        assembly = self._in_session()
        with self.assertRaisesRegex(ValidationError, "must be present in person"):
            self._attend(assembly, self.bob, proxy=self.amy)

    def test_vote_results(self):
        assembly = self._in_session()
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
        self._attend(assembly, self.dan, proxy=self.amy)
        accounts = assembly.item_ids.filtered(lambda i: i.kind == "accounts")
        self._vote(accounts, self.amy, "for")
        self._vote(accounts, self.dan, "for")
        self._vote(accounts, self.bob, "against")
        self._vote(accounts, self.carol, "abstain")
        self.assertEqual(
            (accounts.votes_for, accounts.votes_against, accounts.votes_abstain),
            (2, 1, 1),
        )
        accounts.action_close_vote()
        self.assertEqual(accounts.result, "adopted")
        with self.assertRaisesRegex(ValidationError, "is closed"):
            self._vote(accounts, self.eve, "for")

    def test_tie_is_rejected(self):
        assembly = self._in_session()
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
        other = assembly.item_ids.filtered(lambda i: i.kind == "accounts")
        self._vote(other, self.amy, "for")
        self._vote(other, self.bob, "against")
        other.action_close_vote()
        self.assertEqual(other.result, "rejected")

    def test_one_member_one_vote(self):
        assembly = self._in_session()
        self._attend(assembly, self.amy)
        accounts = assembly.item_ids.filtered(lambda i: i.kind == "accounts")
        self._vote(accounts, self.amy, "for")
        with self.assertRaisesRegex(Exception, "member_unique|already voted"):
            with self.env.cr.savepoint(), self.env.cr.savepoint():
                self._vote(accounts, self.amy, "against")
                self.env.flush_all()
        with self.assertRaisesRegex(ValidationError, "neither present nor represented"):
            self._vote(accounts, self.bob, "for")

    def test_attendance_only_in_session(self):
        assembly = self._assembly()
        with self.assertRaisesRegex(UserError, "is not in session"):
            self._attend(assembly, self.amy)

    def test_close_needs_votes_closed_and_minutes_pdf(self):
        assembly = self._in_session()
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
        with self.assertRaisesRegex(UserError, "Close the votes first"):
            assembly.action_close()
        accounts = assembly.item_ids.filtered(lambda i: i.kind == "accounts")
        self._vote(accounts, self.amy, "for")
        accounts.action_close_vote()
        assembly.action_close()
        self.assertEqual(assembly.state, "closed")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "timebank_cooperative.report_assembly_minutes", assembly.ids
            )[0]
            .decode()
        )
        self.assertIn("Accounts of the year", html)
        self.assertIn("Amy Lin", html)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "timebank_cooperative.report_assembly_minutes", assembly.ids
            )
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_the_minutes_say_the_hours_of_the_bank(self):
        """A 14:00 meeting in Taipei is at 14:00 in its minutes, whoever prints
        them from wherever."""
        self.bank_a.partner_id.tz = "Asia/Taipei"
        day = (datetime.now() + timedelta(days=20)).replace(
            hour=6, minute=0, second=0, microsecond=0
        )
        assembly = self._assembly(date=day)
        for tz in ("UTC", "Europe/Paris"):
            self.broker.tz = tz
            html = (
                self.env["ir.actions.report"]
                .with_user(self.broker)
                ._render_qweb_html(
                    "timebank_cooperative.report_assembly_minutes", assembly.ids
                )[0]
                .decode()
            )
            self.assertIn("14:00", html, tz)
            self.assertNotIn("06:00", html, tz)

    def test_ledger_summary_of_the_year(self):
        with freeze_time("2025-06-01"):
            self._pay(self._system("issuance"), self.amy, 120, ref="Welcome credits")
        self._pay(self._system("issuance"), self.bob, 30)
        assembly = self._assembly(year=2025)
        rows = assembly._ledger_summary_rows()
        self.assertEqual([(count, minutes) for _j, count, minutes in rows], [(1, 120)])
        self.assertIn("2:00", assembly.ledger_summary)

    def test_adopted_accounts_are_frozen_and_sealed(self):
        with freeze_time("2025-06-01"):
            self._pay(self._system("issuance"), self.amy, 120, ref="Welcome credits")
        assembly = self._assembly(year=2025)
        assembly.action_convene()
        self._open(assembly)
        accounts = assembly.item_ids.filtered(lambda i: i.kind == "accounts")
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
            self._vote(accounts, member, "for")
        chain = self.env["timebank.chain"].search([("company_id", "=", self.bank_a.id)])
        accounts.with_user(self.broker).action_close_vote()
        self.assertEqual(accounts.result, "adopted")
        self.assertTrue(assembly.accounts_approved_date)
        self.assertEqual(assembly.accounts_chain_hash, chain.last_hash)
        self.assertEqual(assembly.accounts_entry_count, chain.entry_count)
        self.assertIn("2:00", assembly.accounts_summary)
        # the year is sealed: nothing more is posted in it
        self.assertEqual(self.bank_a.timebank_lock_date, date(2025, 12, 31))
        with (
            freeze_time("2025-07-01"),
            self.assertRaisesRegex(UserError, "locked until 2025-12-31"),
        ):
            self._pay(self._system("issuance"), self.bob, 30)
        self.assertIn("2:00", assembly.accounts_summary)

    def test_rejected_accounts_are_not_frozen(self):
        assembly = self._in_session()
        accounts = assembly.item_ids.filtered(lambda i: i.kind == "accounts")
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
            self._vote(accounts, member, "against")
        accounts.with_user(self.broker).action_close_vote()
        self.assertEqual(accounts.result, "rejected")
        self.assertFalse(assembly.accounts_approved_date)
        # what was put to the vote stays on the record, not approved
        self.assertTrue(assembly.accounts_summary)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "timebank_cooperative.report_assembly_minutes", assembly.ids
            )[0]
            .decode()
        )
        self.assertIn("put to the vote, not approved", html)
        self.assertNotIn("Approved accounts", html)

    def test_ledger_summary_escapes_journal_names(self):
        self._journal("exchange").sudo().name = "<b>Exchange</b>"
        self._pay(self._system("issuance"), self.amy, 60)
        assembly = self._assembly(year=datetime.now().year)
        self.assertIn("&lt;b&gt;Exchange&lt;/b&gt;", assembly.ledger_summary)
