from odoo import _, models


class TimebankPeer(models.Model):
    _inherit = "timebank.peer"

    def _statement_mismatch(self, problems):
        """Also a dispute about the link, for the bank's brokers to follow up
        (one open dispute per link: a later mismatch is added to it)."""
        detail = super()._statement_mismatch(problems)
        Dispute = self.env["timebank.dispute"].sudo()
        for peer in self.sudo():
            open_dispute = Dispute.search(
                [
                    ("peer_id", "=", peer.id),
                    ("state", "in", ("new", "review", "mediation", "escalated")),
                ],
                limit=1,
            )
            if open_dispute:
                open_dispute.message_post(body=detail)
                continue
            Dispute.create(
                {
                    "name": _("Link statement mismatch with %(peer)s", peer=peer.name),
                    "description": detail,
                    "company_id": peer.company_id.id,
                    "peer_id": peer.id,
                    "partner_id": peer.company_id.partner_id.id,
                    "raised_as": "broker",
                    "category": "interbank",
                    "priority": "2",
                }
            )
        return detail
