from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class TimebankAssemblyVote(models.Model):
    _name = "timebank.assembly.vote"
    _description = "Time Bank Assembly Vote"
    _check_company_auto = True
    _order = "item_id, id"

    item_id = fields.Many2one(
        "timebank.assembly.item", required=True, ondelete="cascade", index=True
    )
    assembly_id = fields.Many2one(related="item_id.assembly_id", store=True)
    company_id = fields.Many2one(related="item_id.company_id", store=True)
    member_id = fields.Many2one(
        "timebank.member", required=True, index=True, check_company=True
    )
    choice = fields.Selection(
        [("for", "For"), ("against", "Against"), ("abstain", "Abstain")],
        required=True,
    )

    _sql_constraints = [
        (
            "member_unique",
            "UNIQUE (item_id, member_id)",
            "One member, one vote: this member has already voted on this item.",
        ),
    ]

    @api.constrains("item_id", "member_id")
    def _check_voter(self):
        for vote in self:
            if vote.item_id.result != "pending" or not vote.item_id.vote_required:
                raise ValidationError(
                    _(
                        "The vote on %(item)s is closed.",
                        item=vote.item_id.name,
                    )
                )
            attending = vote.assembly_id.attendance_ids.member_id
            if vote.member_id not in attending:
                raise ValidationError(
                    _(
                        "%(member)s is neither present nor represented at "
                        "%(assembly)s and cannot vote.",
                        member=vote.member_id.display_name,
                        assembly=vote.assembly_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # refused before anything is written, and checked again on the records
        self.env["timebank.assembly.item"].browse(
            {vals["item_id"] for vals in vals_list if vals.get("item_id")}
        ).assembly_id._check_session_open()
        votes = super().create(vals_list)
        votes.assembly_id._check_session_open()
        return votes

    def write(self, vals):
        self._check_open()
        result = super().write(vals)
        if "item_id" in vals:
            self._check_open()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_open_votes(self):
        self._check_open()

    def _check_open(self):
        """A vote is cast, corrected or withdrawn while its item is voted on."""
        self.assembly_id._check_session_open()
        closed = self.item_id.filtered(lambda i: i.result != "pending")
        if closed:
            raise UserError(
                _(
                    "The vote on %(item)s is closed.",
                    item=", ".join(closed.mapped("name")),
                )
            )
