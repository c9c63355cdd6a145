from odoo import _, api, fields, models

from . import protocol


class TimebankPeerKey(models.Model):
    """A public key of a peer bank that it has rotated away from: kept to verify
    what it signed before."""

    _name = "timebank.peer.key"
    _description = "Former Key of a Peer Bank"
    _inherit = ["timebank.guarded.mixin"]
    _order = "id desc"
    _guarded_fields = ("peer_id", "key_id", "public_key")

    peer_id = fields.Many2one(
        "timebank.peer", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="peer_id.company_id", store=True)
    key_id = fields.Char(string="Key Id", required=True, readonly=True)
    public_key = fields.Char(required=True, readonly=True)
    fingerprint = fields.Char(compute="_compute_fingerprint")

    @api.depends("public_key")
    def _compute_fingerprint(self):
        for key in self:
            key.fingerprint = protocol.fingerprint(key.public_key)

    def _guarded_hint(self):
        return _("Former keys are kept when a peer bank rotates its key.")
