from odoo import models
from odoo.exceptions import UserError


class TimebankWorkflowMixin(models.AbstractModel):
    """Steps of a time bank record's workflow: who is a broker, and a refusal that
    names the records in the wrong state and that state."""

    _name = "timebank.workflow.mixin"
    _inherit = ["timebank.guarded.mixin"]
    _description = "Time Bank Workflow Steps"
    # the placeholder naming the records in the messages of _check_state
    _workflow_records_key = "records"

    def _check_state(self, allowed, message):
        """Refuse with ``message`` (which names the records with the placeholder
        ``_workflow_records_key`` and their state with %(state)s)."""
        wrong = self.filtered(lambda record: record.state not in allowed)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                message
                % {
                    self._workflow_records_key: ", ".join(wrong.mapped("display_name")),
                    "state": ", ".join(
                        sorted({labels[s] for s in wrong.mapped("state")})
                    ),
                }
            )

    def _is_broker(self):
        return self.env.user.has_group("timebank_core.group_timebank_broker")
