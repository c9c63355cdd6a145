from odoo import http
from odoo.http import request


class TimebankImpact(http.Controller):
    """The bank's board of hours given (seed 000's 爱心成果), for anyone."""

    @http.route(
        "/timebank/<int:company_id>/hours", type="http", auth="public", sitemap=False
    )
    def timebank_hours(self, company_id, **kw):
        bank = request.env["res.company"].sudo().browse(company_id).exists()
        if not bank or not bank.timebank_public_board:
            raise request.not_found()
        return request.render(
            "timebank_core.timebank_public_hours",
            {"bank": bank, "board": bank._timebank_public_board()},
        )
