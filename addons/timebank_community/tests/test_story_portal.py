"""Members, and proxies for elders, write their time story in the portal."""

import base64

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import csrf_token

from .common import CommunityCase

# a 1x1 PNG
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestStoryPortal(CommunityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("tbp_amy", cls.amy.partner_id)
        cls.daughter = cls._person("Daughter Mei")
        cls._name_proxy(cls.bo, cls.daughter, request=True)
        new_test_user(
            cls.env,
            login="tbp_mei",
            name="Daughter Mei",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.daughter.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.Story = cls.env["timebank.story"]

    def _form(self, url="/my/timebank/story/new"):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_the_member_writes_and_submits_a_story(self):
        self.authenticate("tbp_amy", "tbp_amy")
        self.assertIn("/my/timebank/stories", self.url_open("/my").text)
        form = self._form()
        self.assertIn("I agree that this story is published", form)
        response = self.url_open(
            "/my/timebank/story/new",
            data={
                "csrf_token": csrf_token(form),
                "member_id": str(self.amy.id),
                "title": "Tea with Grandma Lee",
                "text": "Every Tuesday I read her the paper.\nShe tells me stories.",
                "consent": "1",
                "do": "submit",
            },
            files={"photo": ("tea.png", PIXEL, "image/png")},
        )
        self.assertIn("your story is sent to the time bank", response.text)
        story = self.Story.search([("member_id", "=", self.amy.id)])
        self.assertEqual(
            (story.title, story.state, story.consent),
            ("Tea with Grandma Lee", "submitted", True),
        )
        self.assertIn("Every Tuesday I read her the paper.", story.body)
        self.assertTrue(story.consent_date)
        self.assertTrue(story.photo)
        self.assertIn("Tea with Grandma Lee", response.text)
        # sent, it is no longer changed in the portal
        self.assertEqual(
            self.url_open(f"/my/timebank/story/{story.id}/edit").status_code, 404
        )

    def test_a_draft_is_saved_changed_then_withdrawn(self):
        self.authenticate("tbp_amy", "tbp_amy")
        form = self._form()
        self.url_open(
            "/my/timebank/story/new",
            data={
                "csrf_token": csrf_token(form),
                "title": "First try",
                "text": "Not finished.",
                "do": "save",
            },
        )
        story = self.Story.search([("member_id", "=", self.amy.id)])
        self.assertEqual((story.state, story.consent), ("draft", False))
        form = self._form(f"/my/timebank/story/{story.id}/edit")
        self.assertIn("Not finished.", form)
        response = self.url_open(
            f"/my/timebank/story/{story.id}/edit",
            data={
                "csrf_token": csrf_token(form),
                "title": "Finished",
                "text": "Now it is.",
                "do": "save",
            },
        )
        self.assertIn("saved as a draft", response.text)
        self.assertEqual(story.title, "Finished")
        response = self.url_open(
            f"/my/timebank/story/{story.id}/withdraw",
            data={"csrf_token": csrf_token(response.text)},
        )
        self.assertIn("Your story is withdrawn", response.text)
        self.assertEqual(story.state, "withdrawn")

    def test_a_refused_photo_leaves_no_story(self):
        self.authenticate("tbp_amy", "tbp_amy")
        form = self._form()
        response = self.url_open(
            "/my/timebank/story/new",
            data={"csrf_token": csrf_token(form), "title": "With a file", "do": "save"},
            files={"photo": ("notes.txt", b"just text", "text/plain")},
        )
        self.assertIn("notes.txt is not a photo", response.text)
        self.assertFalse(self.Story.search([("member_id", "=", self.amy.id)]))

    def test_the_proxy_writes_the_elder_s_story(self):
        self.authenticate("tbp_mei", "tbp_mei")
        form = self._form()
        self.assertIn("Bo Lin", form)
        self.url_open(
            "/my/timebank/story/new",
            data={
                "csrf_token": csrf_token(form),
                "member_id": str(self.bo.id),
                "title": "My father's garden",
                "text": "The students came to help him.",
                "consent": "1",
                "do": "submit",
            },
        )
        story = self.Story.search([("member_id", "=", self.bo.id)])
        self.assertEqual(story.state, "submitted")
        # not for someone who did not name her
        form = self._form()
        response = self.url_open(
            "/my/timebank/story/new",
            data={
                "csrf_token": csrf_token(form),
                "member_id": str(self.amy.id),
                "title": "Not hers",
                "do": "save",
            },
        )
        self.assertIn("You act only for yourself", response.text)
        self.assertFalse(self.Story.search([("member_id", "=", self.amy.id)]))
        stories = self.url_open("/my/timebank/stories").text
        self.assertIn("My father&#39;s garden", stories)
