from odoo import fields, models


class TimebankServiceItem(models.Model):
    _inherit = "timebank.service.item"

    skill_ids = fields.Many2many(
        "timebank.skill",
        "timebank_service_item_skill_rel",
        "item_id",
        "skill_id",
        string="Skills Needed",
        help="Skills a provider of this service should have; the matching engine "
        "ranks candidates by how many of them they have.",
    )
