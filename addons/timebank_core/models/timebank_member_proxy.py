from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# what a person lets their proxy do -> the field of the person that says so
PROXY_RIGHTS = {
    "view": "timebank_proxy_can_view",
    "request": "timebank_proxy_can_request",
    "confirm": "timebank_proxy_can_confirm",
}


class TimebankMember(models.Model):
    """What the proxy of a member may do, in one place.

    A person names a proxy (a family member, a neighbour) with a recorded
    consent and says what the proxy may do for them: ``view`` their membership,
    balance, statements and services, ``request`` services and ``confirm`` the
    services they received. The record rules use the ``proxy_user_may_*``
    fields below, the code and the portal ``_timebank_proxy_allows``: both come
    from ``_timebank_proxy_domain``.
    """

    _inherit = "timebank.member"

    proxy_user_may_view = fields.Boolean(
        string="You May See It as Proxy",
        compute="_compute_proxy_user_may",
        search="_search_proxy_user_may_view",
        help="You are the proxy of this member and may see their membership, "
        "balance, statements and services.",
    )
    proxy_user_may_request = fields.Boolean(
        string="You May Request for Them",
        compute="_compute_proxy_user_may",
        search="_search_proxy_user_may_request",
        help="You are the proxy of this member and may ask for services for them.",
    )
    proxy_user_may_confirm = fields.Boolean(
        string="You May Confirm for Them",
        compute="_compute_proxy_user_may",
        search="_search_proxy_user_may_confirm",
        help="You are the proxy of this member and may confirm the services they "
        "received.",
    )

    @api.model
    def _timebank_proxy_domain(self, right, partner=None):
        """Memberships whose person named ``partner`` (the current user's by
        default) their proxy, with a recorded consent, and gave them ``right``
        (``view``, ``request`` or ``confirm``)."""
        if right not in PROXY_RIGHTS:
            raise ValidationError(_("Unknown proxy right %(right)s.", right=right))
        partner = partner if partner is not None else self.env.user.partner_id
        if not partner:
            return [("id", "=", False)]
        return [
            ("partner_id.timebank_proxy_id", "=", partner.id),
            ("partner_id.timebank_proxy_consent_date", "!=", False),
            (f"partner_id.{PROXY_RIGHTS[right]}", "=", True),
        ]

    def _timebank_proxy_allows(self, right, partner=None):
        """The memberships of ``self`` for which ``partner`` (the current user's
        by default) acts as proxy with ``right``; empty when there is none.

        Read as the bank: a proxy does not read the contact of the person they
        act for.
        """
        return self.browse(
            self.sudo().filtered_domain(self._timebank_proxy_domain(right, partner)).ids
        )

    @api.depends(
        "partner_id.timebank_proxy_id",
        "partner_id.timebank_proxy_consent_date",
        "partner_id.timebank_proxy_can_view",
        "partner_id.timebank_proxy_can_request",
        "partner_id.timebank_proxy_can_confirm",
    )
    @api.depends_context("uid")
    def _compute_proxy_user_may(self):
        allowed = {right: self._timebank_proxy_allows(right) for right in PROXY_RIGHTS}
        for member in self:
            member.proxy_user_may_view = member in allowed["view"]
            member.proxy_user_may_request = member in allowed["request"]
            member.proxy_user_may_confirm = member in allowed["confirm"]

    def _search_proxy_user_may(self, right, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(_("Unsupported search on a proxy right."))
        member_ids = self.sudo()._search(self._timebank_proxy_domain(right))
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", member_ids)]

    def _search_proxy_user_may_view(self, operator, value):
        return self._search_proxy_user_may("view", operator, value)

    def _search_proxy_user_may_request(self, operator, value):
        return self._search_proxy_user_may("request", operator, value)

    def _search_proxy_user_may_confirm(self, operator, value):
        return self._search_proxy_user_may("confirm", operator, value)
