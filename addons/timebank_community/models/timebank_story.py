import base64
import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html2plaintext
from odoo.tools.mimetypes import guess_mimetype

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("published", "Published"),
    ("withdrawn", "Withdrawn"),
]
# what the author agreed to publish: changed only while the story is a draft
CONTENT_FIELDS = {"member_id", "company_id", "title", "body", "photo"}
# the consent is given or taken back while the story waits; once published it
# is withdrawn with its button, and a withdrawn story goes back to draft first
CONSENT_STATES = ("draft", "submitted")
# two-character family names: the rest of the name is the given name
COMPOUND_SURNAMES = {
    "歐陽",
    "欧阳",
    "司馬",
    "司马",
    "諸葛",
    "诸葛",
    "上官",
    "東方",
    "东方",
    "皇甫",
    "尉遲",
    "尉迟",
    "公孫",
    "公孙",
    "慕容",
    "長孫",
    "长孙",
    "令狐",
    "夏侯",
    "司徒",
    "西門",
    "西门",
    "宇文",
    "端木",
    "軒轅",
    "轩辕",
    "張簡",
    "张简",
    "范姜",
}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def first_name(name):
    """The given name only, as the public page shows it: the first word of a
    name written with spaces ("Amy Chen" -> "Amy"), a Chinese name without its
    family name ("陳美玲" -> "美玲", "歐陽娜娜" -> "娜娜")."""
    name = (name or "").strip()
    if CJK.match(name):
        name = "".join(name.split())
        if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
            return name[2:]
        return name[1:] if len(name) > 1 else name
    return name.split()[0] if name else ""


class TimebankStory(models.Model):
    """A member's own story of the time bank (我的时间故事), published on the
    bank's public page only with the member's consent, and taken off at once
    when they withdraw it."""

    _name = "timebank.story"
    _description = "Time Story"
    _inherit = ["mail.thread", "timebank.workflow.mixin"]
    _check_company_auto = True
    _rec_name = "title"
    _order = "published_date desc, id desc"
    _workflow_records_key = "stories"
    _guarded_fields = ("state", "consent_date", "published_by", "published_date")

    member_id = fields.Many2one(
        "timebank.member",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="Whose story it is.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    title = fields.Char(required=True, tracking=True)
    body = fields.Html(string="Story", sanitize=True)
    photo = fields.Image(max_width=1024, max_height=1024)
    consent = fields.Boolean(
        string="I agree that this story is published",
        tracking=True,
        copy=False,
        help="The author agrees that the story, with their first name only, is "
        "shown on the public page of the time bank. They may withdraw it at any "
        "time.",
    )
    consent_date = fields.Datetime(
        readonly=True, copy=False, help="When the author agreed to the publication."
    )
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, copy=False, tracking=True
    )
    published_by = fields.Many2one(
        "res.users", readonly=True, copy=False, tracking=True
    )
    published_date = fields.Datetime(readonly=True, copy=False)
    public_name = fields.Char(
        string="Shown As",
        compute="_compute_public_name",
        help="The name the public page shows: the author's first name, no family "
        "name and no contact.",
    )

    @api.depends("member_id")
    def _compute_company_id(self):
        for story in self:
            if story.member_id:
                story.company_id = story.member_id.company_id

    @api.depends("member_id.partner_id.name")
    def _compute_public_name(self):
        for story in self:
            story.public_name = first_name(story.member_id.sudo().partner_id.name)

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _(
            "A story moves with its buttons (Submit, Publish, Withdraw, Back to "
            "Draft); the date of the consent follows the consent box."
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_guarded_create(vals_list)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("consent"):
                vals["consent_date"] = now
        return (
            super(
                TimebankStory,
                self.with_context(**self._guarded_allow({"consent_date"})),
            )
            .create(vals_list)
            .with_env(self.env)
        )

    def write(self, vals):
        if self._guarded_allowed():
            return super().write(vals)
        self._check_guarded_write(vals)
        if ("member_id" in vals or "company_id" in vals) and self.filtered(
            lambda s: (
                s.member_id.id != vals.get("member_id", s.member_id.id)
                or s.company_id.id != vals.get("company_id", s.company_id.id)
            )
        ):
            # the consent is its author's: a story never changes hands
            raise UserError(
                _(
                    "A story stays with the member who wrote it (and agreed to "
                    "it): write a new story for another member."
                )
            )
        changed = CONTENT_FIELDS & set(vals)
        if changed and self.filtered(lambda s: s.state != "draft"):
            raise UserError(
                _(
                    "%(stories)s keeps the words its author agreed to: only a draft "
                    "is changed. Put it back to draft first.",
                    stories=", ".join(
                        self.filtered(lambda s: s.state != "draft").mapped(
                            "display_name"
                        )
                    ),
                )
            )
        if "consent" in vals:
            fixed = self.filtered(lambda s: s.state not in CONSENT_STATES)
            if fixed:
                raise UserError(
                    _(
                        "%(stories)s: the consent of a published story is taken "
                        "back with the Withdraw button, and a withdrawn story goes "
                        "back to draft before its author agrees again.",
                        stories=", ".join(fixed.mapped("display_name")),
                    )
                )
            vals = dict(
                vals,
                consent_date=fields.Datetime.now() if vals["consent"] else False,
            )
        return super(
            TimebankStory, self.with_context(**self._guarded_allow({"consent_date"}))
        ).write(vals)

    @api.constrains("state", "consent")
    def _check_published_with_consent(self):
        for story in self:
            if story.state == "published" and not story.consent:
                raise ValidationError(
                    _(
                        "%(story)s cannot be published: its author has not agreed "
                        "that it is.",
                        story=story.display_name,
                    )
                )

    # ------------------------------------------------------------------ workflow
    def _check_story_state(self, allowed):
        self._check_state(
            allowed, _("%(stories)s is %(state)s: this step is not possible.")
        )

    def _check_author(self):
        """The author, their proxy allowed to ask for services for them, or a
        broker (for a member who writes on paper)."""
        self.check_access("read")
        if self._is_broker():
            return
        partner = self.env.user.partner_id
        members = self.sudo().member_id
        others = members.filtered(lambda m: m.partner_id != partner)
        if others - others.with_env(self.env)._timebank_proxy_allows("request"):
            raise AccessError(
                _(
                    "Only the author of a story, their proxy or a broker of the "
                    "time bank does this."
                )
            )

    def action_submit(self):
        self._check_author()
        self._check_story_state(("draft",))
        empty = self.filtered(lambda s: not html2plaintext(s.body or "").strip())
        if empty:
            raise UserError(
                _(
                    "%(stories)s has no story yet: write it first.",
                    stories=", ".join(empty.mapped("display_name")),
                )
            )
        self.sudo()._guarded_write({"state": "submitted"})
        return True

    def action_publish(self):
        if not self._is_broker():
            raise AccessError(_("Only a broker publishes a story."))
        self.check_access("write")
        self._check_story_state(("submitted",))
        without = self.filtered(lambda s: not s.consent)
        if without:
            raise UserError(
                _(
                    "%(stories)s cannot be published: its author has not agreed "
                    "that it is (the box “I agree that this story is published” is "
                    "not ticked). Only a story its author agreed to is published.",
                    stories=", ".join(without.mapped("display_name")),
                )
            )
        self._guarded_write(
            {
                "state": "published",
                "published_by": self.env.user.id,
                "published_date": fields.Datetime.now(),
            }
        )
        return True

    def action_withdraw(self):
        """The author takes their consent back: the story leaves the public page
        at once. Possible at any time, from any state but withdrawn."""
        self._check_author()
        self._check_story_state(("draft", "submitted", "published"))
        self.sudo()._guarded_write(
            {"state": "withdrawn", "consent": False, "consent_date": False}
        )
        return True

    def action_draft(self):
        self._check_author()
        self._check_story_state(("submitted", "withdrawn"))
        self.sudo()._guarded_write(
            {"state": "draft", "published_by": False, "published_date": False}
        )
        return True

    # ------------------------------------------------------------------ public
    @api.model
    def _public_stories(self, bank, limit=20):
        """The published stories of ``bank`` as the public page shows them: the
        author's first name, no family name and no contact."""
        stories = self.sudo().search(
            [
                ("company_id", "=", bank.id),
                ("state", "=", "published"),
                ("consent", "=", True),
            ],
            limit=limit,
        )
        return [
            {
                "id": story.id,
                "author": story.public_name,
                "title": story.title,
                "body": story.body,
                "photo": story._photo_data_url(),
            }
            for story in stories
        ]

    def _photo_data_url(self):
        self.ensure_one()
        if not self.photo:
            return False
        photo = self.photo
        if isinstance(photo, bytes):
            photo = photo.decode()
        mimetype = guess_mimetype(base64.b64decode(photo), default="image/png")
        return f"data:{mimetype};base64,{photo}"
