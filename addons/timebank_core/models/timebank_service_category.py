from odoo import fields, models


class TimebankServiceCategory(models.Model):
    _name = "timebank.service.category"
    _description = "Time Bank Service Category"
    _check_company_auto = True
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the category with every time bank.",
    )
    item_ids = fields.One2many("timebank.service.item", "category_id", string="Items")
    item_count = fields.Integer(compute="_compute_item_count")

    def _compute_item_count(self):
        counts = dict(
            self.env["timebank.service.item"]._read_group(
                [("category_id", "in", self.ids)], ["category_id"], ["__count"]
            )
        )
        for category in self:
            category.item_count = counts.get(category, 0)

    def action_view_items(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_core.timebank_service_item_action"
        )
        action["domain"] = [("category_id", "=", self.id)]
        action["context"] = {"default_category_id": self.id}
        return action
