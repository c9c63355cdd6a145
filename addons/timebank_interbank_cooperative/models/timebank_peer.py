from odoo import _, models


class TimebankPeer(models.Model):
    _inherit = "timebank.peer"

    def _statement_mismatch(self, problems):
        """Also a dispute about the link, for the bank's brokers to follow up
        (one open dispute per link: a later mismatch is added to it)."""
        detail = super()._statement_mismatch(problems)
        for peer in self:
            peer._link_dispute(
                _("Link statement mismatch with %(peer)s", peer=peer.name), detail
            )
        return detail

    def _chain_mismatch(self, detail):
        """A sequence gap or a chain mismatch: also a dispute about the link,
        as a statement mismatch is."""
        detail = super()._chain_mismatch(detail)
        for peer in self:
            peer._link_dispute(
                _("Link chains disagree with %(peer)s", peer=peer.name), detail
            )
        return detail

    def _link_dispute(self, name, detail):
        """Open a dispute about the link, or add ``detail`` to the one open."""
        self.ensure_one()
        peer = self.sudo()
        Dispute = self.env["timebank.dispute"].sudo()
        open_dispute = Dispute.search(
            [
                ("peer_id", "=", peer.id),
                ("state", "in", ("new", "review", "mediation", "escalated")),
            ],
            limit=1,
        )
        if open_dispute:
            open_dispute.message_post(body=detail)
            return open_dispute
        return Dispute.create(
            {
                "name": name,
                "description": detail,
                "company_id": peer.company_id.id,
                "peer_id": peer.id,
                "partner_id": peer.company_id.partner_id.id,
                "raised_as": "broker",
                "category": "interbank",
                "priority": "2",
            }
        )
