"""Time stories: published by a broker only with the author's consent."""

from xmlrpc.client import Fault

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import xmlrpc_call

from ..models.timebank_story import first_name
from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestStory(CommunityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("tbs_amy", cls.amy.partner_id)
        cls._portal_user("tbs_bo", cls.bo.partner_id)
        cls.Story = cls.env["timebank.story"]

    def _story(self, member=None, **vals):
        return self.Story.create(
            dict(
                {
                    "member_id": (member or self.amy).id,
                    "title": "The day Bo fixed my door",
                    "body": "<p>He came with his tools.</p>",
                },
                **vals,
            )
        )

    def _submitted(self, **vals):
        story = self._story(**vals)
        story.with_user(self.broker).action_submit()
        return story

    def test_first_name_only(self):
        self.assertEqual(first_name("Amy Chen"), "Amy")
        self.assertEqual(first_name("陳美玲"), "美玲")
        self.assertEqual(first_name("陳 美玲"), "美玲")
        self.assertEqual(first_name("歐陽娜娜"), "娜娜")
        self.assertEqual(first_name("王芳"), "芳")
        self.assertEqual(first_name(""), "")
        self.assertEqual(self._story().public_name, "Amy")

    def test_the_broker_publishes_only_with_consent(self):
        story = self._submitted()
        self.assertEqual(story.state, "submitted")
        with self.assertRaisesRegex(
            UserError, "cannot be published: its author has not agreed"
        ):
            story.with_user(self.broker).action_publish()
        with self.assertRaisesRegex(
            Fault, "cannot be published: its author has not agreed"
        ):
            xmlrpc_call(self, "tb_broker", story._name, "action_publish", [story.id])
        self.assertEqual(story.state, "submitted")
        # the author agreed on paper: the broker records it, then publishes
        story.with_user(self.broker).consent = True
        self.assertTrue(story.consent_date)
        xmlrpc_call(self, "tb_broker", story._name, "action_publish", [story.id])
        self.assertEqual(story.state, "published")
        self.assertEqual(story.published_by, self.broker)

    def test_nobody_publishes_by_writing_the_state(self):
        story = self._submitted()
        for login in ("tb_broker", "tbs_amy"):
            with self.assertRaisesRegex(Fault, r"\(state\)[^.]* cannot be written"):
                xmlrpc_call(
                    self,
                    login,
                    story._name,
                    "write",
                    [story.id],
                    {"state": "published"},
                )
        with self.assertRaisesRegex(Fault, r"\(consent_date\)[^.]* cannot be written"):
            xmlrpc_call(
                self,
                "tb_broker",
                story._name,
                "write",
                [story.id],
                {"consent_date": "2026-01-05 10:00:00"},
            )
        with self.assertRaisesRegex(Fault, r"\(state\)[^.]* cannot be written"):
            xmlrpc_call(
                self,
                "tbs_amy",
                story._name,
                "create",
                {"member_id": self.amy.id, "title": "Mine", "state": "published"},
            )
        # the member may not publish their own story, consent or not
        own = self._story(consent=True)
        own.with_user(self.broker).action_submit()
        with self.assertRaisesRegex(Fault, "Only a broker publishes a story"):
            xmlrpc_call(self, "tbs_amy", own._name, "action_publish", [own.id])
        # the constraint holds whatever path: no published story without consent
        with (
            self.assertRaisesRegex(ValidationError, "cannot be published"),
            self.env.cr.savepoint(),
        ):
            story._guarded_write({"state": "published"})
        story.invalidate_recordset()
        self.assertEqual((story.state, own.state), ("submitted", "submitted"))

    def test_a_member_reads_and_writes_only_their_own_drafts(self):
        bo_draft = self._story(self.bo, title="Bo's secret draft")
        with self.assertRaisesRegex(Fault, "doesn't have 'read' access"):
            xmlrpc_call(
                self, "tbs_amy", bo_draft._name, "read", [bo_draft.id], ["title"]
            )
        self.assertFalse(
            xmlrpc_call(
                self, "tbs_amy", bo_draft._name, "search", [("id", "=", bo_draft.id)]
            )
        )
        with self.assertRaisesRegex(Fault, "doesn't have '(read|write)' access"):
            xmlrpc_call(
                self, "tbs_amy", bo_draft._name, "write", [bo_draft.id], {"title": "x"}
            )
        with self.assertRaisesRegex(Fault, "doesn't have 'create' access"):
            xmlrpc_call(
                self,
                "tbs_amy",
                bo_draft._name,
                "create",
                {"member_id": self.bo.id, "title": "In Bo's name"},
            )
        # her own draft she writes; once submitted, not any more
        own_id = xmlrpc_call(
            self,
            "tbs_amy",
            bo_draft._name,
            "create",
            {"member_id": self.amy.id, "title": "Mine", "body": "<p>Hello</p>"},
        )
        own = self.Story.browse(own_id)
        xmlrpc_call(self, "tbs_amy", own._name, "write", [own_id], {"consent": True})
        self.assertTrue(own.consent_date)
        xmlrpc_call(self, "tbs_amy", own._name, "action_submit", [own_id])
        self.assertEqual(own.state, "submitted")
        with self.assertRaisesRegex(Fault, "keeps the words its author agreed to"):
            xmlrpc_call(self, "tbs_amy", own._name, "write", [own_id], {"title": "x"})
        # and no broker changes the words she agreed to
        with self.assertRaisesRegex(UserError, "keeps the words its author agreed to"):
            own.with_user(self.broker).body = "<p>Other words</p>"
        with self.assertRaisesRegex(Fault, "doesn't have 'read' access"):
            xmlrpc_call(
                self, "tbs_amy", bo_draft._name, "action_withdraw", [bo_draft.id]
            )
        self.assertEqual(bo_draft.state, "draft")

    def test_withdraw_takes_the_story_off_the_public_page(self):
        self.bank_a.timebank_public_board = True
        story = self._submitted(consent=True)
        story.with_user(self.broker).action_publish()
        url = f"/timebank/{self.bank_a.id}/hours"
        page = self.url_open(url).text  # not logged in
        self.assertIn("The day Bo fixed my door", page)
        self.assertIn("He came with his tools.", page)
        self.assertRegex(page, r"timebank-story-author\">\s*— Amy\s*<")
        self.assertNotIn("Chen", page)
        self.assertNotIn(self.amy.partner_id.email, page)
        # the consent of a published story is taken back only with Withdraw
        with self.assertRaisesRegex(Fault, "taken back with the Withdraw button"):
            xmlrpc_call(
                self, "tb_broker", story._name, "write", [story.id], {"consent": False}
            )
        xmlrpc_call(self, "tbs_amy", story._name, "action_withdraw", [story.id])
        self.assertEqual((story.state, story.consent), ("withdrawn", False))
        self.assertFalse(story.consent_date)
        page = self.url_open(url).text
        self.assertNotIn("The day Bo fixed my door", page)
        self.assertNotIn("He came with his tools.", page)
        # a withdrawn story is not published again without a new consent
        with self.assertRaisesRegex(Fault, "is Withdrawn: this step is not possible"):
            xmlrpc_call(self, "tb_broker", story._name, "action_publish", [story.id])

    def test_a_story_never_changes_hands(self):
        """Its consent is its author's: a draft does not become another
        member's story, nor another bank's."""
        other_bank = self._member("Story Bank B Kao", bank=self.bank_b, active=True)
        story = self.Story.browse(
            xmlrpc_call(
                self,
                "tbs_amy",
                "timebank.story",
                "create",
                {
                    "member_id": self.amy.id,
                    "title": "Mine",
                    "body": "<p>My own words.</p>",
                    "consent": True,
                },
            )
        )
        for login, member in (
            ("tbs_amy", self.bo),
            ("tbs_amy", other_bank),
            ("tb_broker", self.bo),
        ):
            with self.assertRaisesRegex(
                Fault, "A story stays with the member who wrote it"
            ):
                xmlrpc_call(
                    self,
                    login,
                    "timebank.story",
                    "write",
                    [story.id],
                    {"member_id": member.id},
                )
        self.assertRecordValues(
            story, [{"member_id": self.amy.id, "company_id": self.bank_a.id}]
        )
