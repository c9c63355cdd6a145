from odoo import _, api, fields, models
from odoo.exceptions import UserError


class TimebankEntry(models.Model):
    _inherit = "timebank.entry"

    dispute_id = fields.Many2one(
        "timebank.dispute",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The dispute whose resolution reversed or corrected this entry.",
    )

    def _check_dispute_link(self, vals):
        if "dispute_id" in vals and not self._guarded_allowed():
            raise UserError(
                _("Only the resolution of a dispute links an entry to the dispute.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_dispute_link(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_dispute_link(vals)
        return super().write(vals)
