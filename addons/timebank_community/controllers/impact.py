from odoo import http
from odoo.http import request

from odoo.addons.timebank_core.controllers.impact import TimebankImpact


class TimebankImpactStories(TimebankImpact):
    @http.route()
    def timebank_hours(self, company_id, **kw):
        """The board of hours, with the published time stories of the bank."""
        response = super().timebank_hours(company_id, **kw)
        qcontext = getattr(response, "qcontext", None)
        if qcontext is not None and qcontext.get("bank"):
            qcontext["stories"] = request.env["timebank.story"]._public_stories(
                qcontext["bank"]
            )
        return response
