from odoo import fields, models
from odoo.tools import SQL

PEER_TYPES = ("peer_transit", "peer_clearing")


class TimebankAccount(models.Model):
    _inherit = "timebank.account"

    type = fields.Selection(
        selection_add=[
            ("peer_transit", "Transit (Peer Bank)"),
            ("peer_clearing", "Clearing (Peer Bank)"),
        ],
        ondelete={"peer_transit": "cascade", "peer_clearing": "cascade"},
    )
    peer_id = fields.Many2one(
        "timebank.peer",
        string="Peer Bank",
        readonly=True,
        ondelete="restrict",
        index="btree_not_null",
    )
    _guarded_fields = ("peer_id",)

    _sql_constraints = [
        (
            "peer_type_uniq",
            "unique (peer_id, type)",
            "A peer bank has one transit and one clearing account.",
        ),
        (
            "peer_type",
            "CHECK ((type IN ('peer_transit', 'peer_clearing')) "
            "= (peer_id IS NOT NULL))",
            "Transit and clearing accounts of a peer bank, and only they, belong "
            "to a peer bank.",
        ),
    ]

    def init(self):
        res = super().init()
        # one account of each system type per bank, except the accounts of peer
        # banks: one pair per peer
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indexrelid = 'timebank_account_system_uniq'::regclass"
            )
        )
        row = cr.fetchone()
        if row and "peer_" not in row[0]:
            cr.execute(SQL("DROP INDEX timebank_account_system_uniq"))
            cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX timebank_account_system_uniq "
                    "ON timebank_account (company_id, type) WHERE type NOT IN "
                    "('member', 'peer_transit', 'peer_clearing')"
                )
            )
        return res
