import re

from odoo import _, http
from odoo.http import request

# what one browser may send before a broker has seen them
MAX_APPLICATIONS_PER_SESSION = 3
LIMITS = {"name": 128, "phone": 32, "email": 120, "area": 64}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def banks_taking_applications():
    return (
        request.env["res.company"]
        .sudo()
        .search([("timebank_public_signup", "=", True)], order="name")
    )


class TimebankJoin(http.Controller):
    """Anyone may apply to join a bank that takes applications online."""

    @http.route(
        "/timebank/join", type="http", auth="public", website=True, sitemap=False
    )
    def timebank_join_banks(self, **kw):
        banks = banks_taking_applications()
        if not banks:
            raise request.not_found()
        if len(banks) == 1:
            return request.redirect(f"/timebank/{banks.id}/join")
        return request.render("timebank_core.timebank_join_banks", {"banks": banks})

    @http.route(
        "/timebank/<int:company_id>/join",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
        methods=["GET", "POST"],
    )
    def timebank_join(self, company_id, **post):
        bank = request.env["res.company"].sudo().browse(company_id).exists()
        if not bank or not bank.timebank_public_signup:
            raise request.not_found()
        values = {"bank": bank, "errors": [], "form": {}}
        if request.httprequest.method != "POST":
            # never prefilled from the address: nothing typed by someone else
            return request.render("timebank_core.timebank_join", values)
        form = {
            key: (post.get(key) or "").strip()[:limit] for key, limit in LIMITS.items()
        }
        form["wish"] = (
            post.get("wish") if post.get("wish") in ("offer", "need") else "both"
        )
        values["form"] = form
        errors = values["errors"]
        if not form["name"]:
            errors.append(_("Please write your name."))
        if not form["phone"] and not form["email"]:
            errors.append(_("Please give a phone number or an e-mail address."))
        if form["email"] and not EMAIL_RE.match(form["email"]):
            errors.append(_("This e-mail address does not look right."))
        if not post.get("consent"):
            errors.append(
                _("Please agree that the time bank keeps your details to contact you.")
            )
        sent = request.session.get("timebank_applications", 0)
        if sent >= MAX_APPLICATIONS_PER_SESSION:
            errors.append(
                _("You have already applied: a broker will call you. Thank you!")
            )
        if errors:
            return request.render("timebank_core.timebank_join", values)
        if post.get("website"):
            # a field people do not see: filled in only by robots, who are
            # thanked and forgotten
            return request.render("timebank_core.timebank_join_thanks", values)
        bank._timebank_apply_online(dict(form, lang=request.lang.code))
        request.session["timebank_applications"] = sent + 1
        return request.render("timebank_core.timebank_join_thanks", values)
