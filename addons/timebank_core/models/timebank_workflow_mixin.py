from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL


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

    def _workflow_write_each(self, vals_list):
        """Write a value of its own to each record (``vals_list`` follows
        ``self``, every dict with the same stored columns, set by the workflow
        only): one UPDATE for the batch instead of a ``write`` per record, the
        ORM told as a write tells it (cache, dependent fields, constraints)."""
        if not self:
            return
        names = sorted(vals_list[0])
        fields_ = [self._fields[name] for name in names]
        self.flush_recordset(names)
        rows = SQL(", ").join(
            SQL(
                "(%s)",
                SQL(", ").join(
                    [record.id]
                    + [
                        SQL(
                            "%s::%s",
                            field.convert_to_column(vals[field.name], record),
                            SQL(field.column_type[1]),
                        )
                        for field in fields_
                    ]
                ),
            )
            for record, vals in zip(self, vals_list, strict=True)
        )
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS t SET %s, write_uid = %s, write_date = %s "
                "FROM (VALUES %s) AS v(id, %s) WHERE t.id = v.id",
                SQL.identifier(self._table),
                SQL(", ").join(
                    SQL("%s = v.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in names
                ),
                self.env.uid,
                self.env.cr.now(),
                rows,
                SQL(", ").join(SQL.identifier(name) for name in names),
            )
        )
        self.invalidate_recordset([*names, "write_uid", "write_date"])
        self.modified(names)
        self._validate_fields(names)
