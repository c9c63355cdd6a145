from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.web import Home


class TimebankHome(Home):
    @http.route()
    def web_login(self, redirect=None, **kw):
        """After logging in, the pages speak the member's language: the one
        their broker set, not the one the login page was first shown in (the
        portal keeps the language of the first page it served in a cookie)."""
        response = super().web_login(redirect=redirect, **kw)
        if request.params.get("login_success") and request.session.uid:
            lang = request.env["res.users"].sudo().browse(request.session.uid).lang
            if lang and hasattr(response, "set_cookie"):
                response.set_cookie("frontend_lang", lang)
        return response
