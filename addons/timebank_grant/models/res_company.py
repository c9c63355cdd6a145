from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _timebank_grant_demo_chart(self):
        """Give the demo bank a chart of accounts before its demo bills.

        Odoo loads the chart of a new database only once every module is
        installed, after the demo data of this addon; a bank that already has
        a chart keeps it.
        """
        company = self.env.ref("base.main_company")
        if not company.chart_template:
            self.env["account.chart.template"].try_loading("generic_coa", company)
