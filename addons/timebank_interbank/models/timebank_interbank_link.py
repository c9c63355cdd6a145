from odoo import _, fields, models


class TimebankInterbankLink(models.Model):
    """One direction of a link with a peer bank: the head of its message chain.

    ``out``: the messages we sent (seq, hash of the last one); ``in``: the
    messages we received. Kept apart so that sending and receiving never lock
    the same row.
    """

    _name = "timebank.interbank.link"
    _description = "Direction of a Link between Time Banks"
    _inherit = ["timebank.guarded.mixin"]
    _order = "peer_id, direction"
    _guarded_fields = (
        "peer_id",
        "direction",
        "last_seq",
        "last_hash",
        "committed_count",
        "committed_minutes",
    )

    peer_id = fields.Many2one(
        "timebank.peer", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="peer_id.company_id", store=True)
    direction = fields.Selection(
        [("out", "Sent"), ("in", "Received")], required=True, readonly=True
    )
    last_seq = fields.Integer(readonly=True, default=0, aggregator=None)
    last_hash = fields.Char(readonly=True)
    committed_count = fields.Integer(readonly=True, default=0)
    committed_minutes = fields.Integer(readonly=True, default=0)

    _sql_constraints = [
        (
            "peer_direction_uniq",
            "unique (peer_id, direction)",
            "A link has one head per direction.",
        ),
    ]

    def _guarded_hint(self):
        return _("The head of a link moves only with the messages of the link.")

    def _statement(self):
        """What the daily statement says of this direction."""
        self.ensure_one()
        return {
            "last_seq": self.last_seq,
            "last_hash": self.last_hash or "",
            "count": self.committed_count,
            "minutes": self.committed_minutes,
        }
