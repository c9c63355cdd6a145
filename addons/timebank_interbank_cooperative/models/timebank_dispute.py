from odoo import fields, models


class TimebankDispute(models.Model):
    _inherit = "timebank.dispute"

    _subject_fields = ("exchange_id", "member_id", "peer_id")

    peer_id = fields.Many2one(
        "timebank.peer",
        string="Partner Bank",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        readonly=True,
        help="The link with a partner bank the dispute is about (its two ledgers "
        "disagree).",
    )
    category = fields.Selection(
        selection_add=[("interbank", "Link between Banks")],
        # without this addon, the closest kind: a disagreement on hours
        ondelete={"interbank": "set hours"},
    )
