from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    timebank_adult_age = fields.Integer(
        string="Adult From Age",
        default=25,
        help="Members younger than this age belong to the youth generation.",
    )
    timebank_elder_age = fields.Integer(
        string="Elder From Age",
        default=65,
        help="Members of this age or older belong to the elder generation.",
    )

    @api.constrains("timebank_adult_age", "timebank_elder_age")
    def _check_timebank_generation_ages(self):
        for company in self:
            if not 0 < company.timebank_adult_age < company.timebank_elder_age:
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: the adult age (%(adult)s) must be above "
                        "zero and below the elder age (%(elder)s).",
                        bank=company.name,
                        adult=company.timebank_adult_age,
                        elder=company.timebank_elder_age,
                    )
                )

    def _timebank_generation_of_age(self, age):
        self.ensure_one()
        if age < self.timebank_adult_age:
            return "youth"
        if age < self.timebank_elder_age:
            return "adult"
        return "elder"

    def _timebank_generation_birthdates(self, today):
        """Birth date bounds of each generation on ``today``.

        :return: {generation: (born after, born on or before)}, None where unbounded
        """
        self.ensure_one()
        adult_from = today - relativedelta(years=self.timebank_adult_age)
        elder_from = today - relativedelta(years=self.timebank_elder_age)
        return {
            "youth": (adult_from, today),
            "adult": (elder_from, adult_from),
            "elder": (None, elder_from),
        }
