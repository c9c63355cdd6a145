from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .timebank_guarded_mixin import GUARDED_CONTEXT_KEY, GUARDED_WRITE

# a service's proof may still change in these states (see the portal)
PROOF_OPEN_STATES = ("draft", "submitted", "confirmed")
# what an attachment is: its content and what it belongs to
CONTENT_FIELDS = {
    "name",
    "datas",
    "raw",
    "db_datas",
    "store_fname",
    "url",
    "type",
    "mimetype",
    "res_model",
    "res_id",
    "res_field",
    "checksum",
    "file_size",
}


class IrAttachment(models.Model):
    """The proof of a checked service stays as the broker checked it: its
    photos and the signed sheet of a confirmation are neither changed nor
    deleted afterwards, over any path, by any user."""

    _inherit = "ir.attachment"

    def _timebank_frozen_proof(self):
        """{attachment id: service reference} of the attachments of ``self``
        that are the proof of a service no longer open."""
        if not self.ids:
            return {}
        self.env["timebank.exchange"].flush_model(
            ["state", "attachment_ids", "confirmation_proof_ids"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT r.ir_attachment_id, e.name
                  FROM ir_attachment_timebank_exchange_rel r
                  JOIN timebank_exchange e ON e.id = r.timebank_exchange_id
                 WHERE r.ir_attachment_id IN %(ids)s AND e.state NOT IN %(open)s
                 UNION ALL
                SELECT p.attachment_id, e.name
                  FROM timebank_exchange_confirmation_proof_rel p
                  JOIN timebank_exchange e ON e.id = p.exchange_id
                 WHERE p.attachment_id IN %(ids)s AND e.state NOT IN %(open)s
                """,
                ids=tuple(self.ids),
                open=PROOF_OPEN_STATES,
            )
        )
        return dict(self.env.cr.fetchall())

    def _timebank_check_proof_frozen(self):
        frozen = self._timebank_frozen_proof()
        if frozen:
            raise UserError(
                _(
                    "%(files)s is the proof of %(services)s, already checked by the "
                    "broker: it stays as it was checked. Add a note in the chatter "
                    "instead.",
                    files=", ".join(self.browse(list(frozen)).sudo().mapped("name")),
                    services=", ".join(sorted(set(frozen.values()))),
                )
            )

    def write(self, vals):
        if CONTENT_FIELDS & set(vals) and (
            self.env.context.get(GUARDED_CONTEXT_KEY) is not GUARDED_WRITE
        ):
            self._timebank_check_proof_frozen()
        return super().write(vals)

    def _migrate(self):
        """Moving the files between the database and the file store keeps
        their content: the proof is not changed by it."""
        return super(
            IrAttachment, self.with_context(**{GUARDED_CONTEXT_KEY: GUARDED_WRITE})
        )._migrate()

    def unlink(self):
        self._timebank_check_proof_frozen()
        return super().unlink()
