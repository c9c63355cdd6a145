from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.web import Home

from .join import banks_taking_applications


class TimebankHome(Home):
    @http.route()
    def web_login(self, redirect=None, **kw):
        """After logging in, the pages speak the member's language: the one
        their broker set, not the one the login page was first shown in (the
        portal keeps the language of the first page it served in a cookie)."""
        response = super().web_login(redirect=redirect, **kw)
        if hasattr(response, "qcontext"):
            if banks_taking_applications():
                # the way in for someone who is not a member yet
                response.qcontext["timebank_join_url"] = "/timebank/join"
            # the logo shown is the main bank's; Odoo's placeholder says "Your logo"
            bank = request.env.ref("base.main_company", raise_if_not_found=False)
            if bank and bank.sudo().uses_default_logo:
                response.qcontext["timebank_login_bank_name"] = bank.sudo().name
        if request.params.get("login_success") and request.session.uid:
            lang = request.env["res.users"].sudo().browse(request.session.uid).lang
            if lang and hasattr(response, "set_cookie"):
                response.set_cookie("frontend_lang", lang)
        return response
