from odoo import _, api, fields, models
from odoo.exceptions import UserError

# what the members were convened to vote on
AGENDA_FIELDS = {"assembly_id", "name", "kind", "vote_required"}
# lines of the item, which check themselves
LINE_FIELDS = {"vote_ids", "policy_change_ids"}


class TimebankAssemblyItem(models.Model):
    _name = "timebank.assembly.item"
    _description = "Time Bank Assembly Agenda Item"
    _inherit = ["timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "assembly_id, sequence, id"
    _guarded_fields = ("result",)

    assembly_id = fields.Many2one(
        "timebank.assembly", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="assembly_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Item", required=True)
    description = fields.Text()
    kind = fields.Selection(
        [
            ("information", "Information"),
            ("accounts", "Approval of the Accounts"),
            ("policy", "Policy Change"),
            ("other", "Other Resolution"),
        ],
        required=True,
        default="other",
    )
    vote_required = fields.Boolean(
        compute="_compute_vote_required", store=True, readonly=False
    )
    vote_ids = fields.One2many("timebank.assembly.vote", "item_id", string="Votes")
    policy_change_ids = fields.One2many(
        "timebank.policy.change", "item_id", string="Policy Changes", copy=True
    )
    votes_for = fields.Integer(string="For", compute="_compute_results")
    votes_against = fields.Integer(string="Against", compute="_compute_results")
    votes_abstain = fields.Integer(string="Abstain", compute="_compute_results")
    result = fields.Selection(
        [("pending", "Pending"), ("adopted", "Adopted"), ("rejected", "Rejected")],
        default="pending",
        required=True,
        readonly=True,
        copy=False,
    )

    @api.depends("kind")
    def _compute_vote_required(self):
        for item in self:
            item.vote_required = item.kind != "information"

    @api.depends("vote_ids.choice")
    def _compute_results(self):
        counts = {
            (item.id, choice): count
            for item, choice, count in self.env["timebank.assembly.vote"]._read_group(
                [("item_id", "in", self.ids)], ["item_id", "choice"], ["__count"]
            )
        }
        for item in self:
            item.votes_for = counts.get((item.id, "for"), 0)
            item.votes_against = counts.get((item.id, "against"), 0)
            item.votes_abstain = counts.get((item.id, "abstain"), 0)

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _("The result of a resolution is counted by Close the Vote.")

    def _check_not_decided(self):
        decided = self.filtered(lambda i: i.result != "pending")
        if decided:
            raise UserError(
                _(
                    "The vote on %(items)s is closed: the resolution, its votes and "
                    "its policy changes stay as they were voted.",
                    items=", ".join(decided.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # refused before anything is written (the assembly may come from a
        # default too: checked again on the records)
        self.env["timebank.assembly"].browse(
            {vals["assembly_id"] for vals in vals_list if vals.get("assembly_id")}
        )._check_agenda_open()
        items = super().create(vals_list)
        items.assembly_id._check_agenda_open()
        return items

    def write(self, vals):
        if not self._guarded_allowed() and set(vals) - LINE_FIELDS:
            self.assembly_id._check_final()
            self._check_not_decided()
            if AGENDA_FIELDS & set(vals):
                self.assembly_id._check_convened_agenda()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_from_a_draft_agenda(self):
        self.assembly_id._check_final()
        self._check_not_decided()
        self.assembly_id._check_convened_agenda()

    # ------------------------------------------------------------------ workflow
    def action_close_vote(self):
        """Count the votes: adopted by a majority of the votes for or against,
        abstentions not counted. A policy change adopted is approved; accounts
        adopted are those presented, sealed as they were presented."""
        self.assembly_id._check_in_session()
        for item in self:
            if not item.vote_required or item.result != "pending":
                raise UserError(_("%(item)s has no vote to close.", item=item.name))
            if not item.assembly_id.quorum_reached:
                raise UserError(
                    _(
                        "The quorum is not reached: %(count)s members present or "
                        "represented, %(quorum)s needed. %(item)s cannot be voted.",
                        count=len(item.assembly_id.attendance_ids),
                        quorum=item.assembly_id.quorum_count,
                        item=item.name,
                    )
                )
            if item.kind == "accounts":
                item.assembly_id._check_accounts_as_presented()
            adopted = item.votes_for > item.votes_against
            item._guarded_write({"result": "adopted" if adopted else "rejected"})
            item.policy_change_ids.sudo()._guarded_write(
                {"state": "approved" if adopted else "rejected"}
            )
            if adopted and item.kind == "accounts":
                item.assembly_id._approve_accounts()
        self.env["timebank.policy.change"].sudo()._apply_due()
        return True
