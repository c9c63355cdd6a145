from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.timebank_core.models.timebank_account import format_minutes

# what a policy change may set, and where: the bank's settings or a catalog item
POLICY_FIELDS = {
    "expiry_years": ("res.company", "timebank_expiry_years"),
    "credit_limit": ("res.company", "timebank_credit_limit"),
    "coefficient": ("timebank.service.item", "coefficient"),
}


class TimebankPolicyChange(models.Model):
    _name = "timebank.policy.change"
    _description = "Time Bank Policy Change"
    _inherit = ["mail.thread", "timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "effective_date desc, id desc"
    _guarded_fields = ("state", "old_value", "applied_date")

    item_id = fields.Many2one(
        "timebank.assembly.item",
        string="Agenda Item",
        required=True,
        ondelete="cascade",
        index=True,
    )
    assembly_id = fields.Many2one(related="item_id.assembly_id", store=True)
    company_id = fields.Many2one(related="item_id.company_id", store=True)
    kind = fields.Selection(
        [
            ("expiry_years", "Years Before Credits Expire"),
            ("credit_limit", "Default Credit Limit"),
            ("coefficient", "Difficulty Coefficient of a Service"),
        ],
        string="Setting",
        required=True,
    )
    service_item_id = fields.Many2one(
        "timebank.service.item", string="Service", check_company=True
    )
    new_value = fields.Float(required=True, digits=(12, 2))
    new_minutes = fields.Integer(
        string="New Limit",
        compute="_compute_new_minutes",
        inverse="_inverse_new_minutes",
        help="The new credit limit in hours and minutes.",
    )
    new_value_text = fields.Char(string="New Setting", compute="_compute_value_texts")
    old_value_text = fields.Char(
        string="Previous Setting", compute="_compute_value_texts"
    )
    old_value = fields.Float(
        readonly=True,
        copy=False,
        digits=(12, 2),
        help="The value replaced, when applied.",
    )
    effective_date = fields.Date(required=True, tracking=True)
    state = fields.Selection(
        [
            ("draft", "To Vote"),
            ("approved", "Approved"),
            ("applied", "Applied"),
            ("rejected", "Rejected"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    applied_date = fields.Date(readonly=True, copy=False)

    @api.depends("new_value")
    def _compute_new_minutes(self):
        for change in self:
            change.new_minutes = round(change.new_value)

    def _inverse_new_minutes(self):
        for change in self:
            if change.kind == "credit_limit":
                change.new_value = change.new_minutes

    def _value_text(self, value):
        """A value as its setting reads: h:mm, years or a coefficient."""
        self.ensure_one()
        if self.kind == "credit_limit":
            return format_minutes(value)
        number = f"{value:g}"
        if self.kind == "expiry_years":
            return self.env._("%(years)s years", years=number)
        return number

    @api.depends("kind", "new_value", "old_value", "state")
    def _compute_value_texts(self):
        for change in self:
            change.new_value_text = change._value_text(change.new_value)
            change.old_value_text = (
                change._value_text(change.old_value)
                if change.state == "applied"
                else False
            )

    @api.depends("kind", "service_item_id", "new_value")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for change in self:
            label = labels.get(change.kind, "")
            if change.service_item_id:
                label = f"{label} ({change.service_item_id.name})"
            change.display_name = f"{label}: {change._value_text(change.new_value)}"

    @api.constrains("kind", "service_item_id", "new_value")
    def _check_value(self):
        for change in self:
            if change.kind == "coefficient":
                if not change.service_item_id:
                    raise ValidationError(
                        _("Name the service whose coefficient changes.")
                    )
                if change.new_value <= 0:
                    raise ValidationError(_("A coefficient is greater than zero."))
            elif change.new_value < 0 or change.new_value != int(change.new_value):
                raise ValidationError(
                    _("Years and minutes are whole numbers, zero or more.")
                )

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _(
            "A policy change is approved or rejected by Close the Vote of its "
            "agenda item, and applied on its effective date."
        )

    def _check_on_draft_agenda(self):
        """A policy change is part of what the members were convened to."""
        self.assembly_id._check_final()
        self.item_id._check_not_decided()
        self.assembly_id._check_convened_agenda()

    @api.model_create_multi
    def create(self, vals_list):
        # refused before anything is written, and checked again on the records
        self.env["timebank.assembly.item"].browse(
            {vals["item_id"] for vals in vals_list if vals.get("item_id")}
        ).assembly_id._check_agenda_open()
        changes = super().create(vals_list)
        changes._check_on_draft_agenda()
        return changes

    def write(self, vals):
        if not self._guarded_allowed() and set(vals) - self._mail_field_names():
            if self.filtered(lambda c: c.state != "draft"):
                raise UserError(
                    _(
                        "A voted policy change cannot be edited: put a new change "
                        "on the agenda of an assembly."
                    )
                )
            self._check_on_draft_agenda()
            result = super().write(vals)
            if "item_id" in vals:
                self._check_on_draft_agenda()
            return result
        return super().write(vals)

    def _mail_field_names(self):
        return set(self.env["mail.thread"]._fields)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_on_draft_agenda(self):
        if self.filtered(lambda c: c.state != "draft"):
            raise UserError(
                _(
                    "A voted policy change cannot be deleted: it stays with the "
                    "resolution that decided it."
                )
            )
        self._check_on_draft_agenda()

    # ------------------------------------------------------------------ applying
    def _target(self):
        self.ensure_one()
        model, field = POLICY_FIELDS[self.kind]
        record = self.service_item_id if model != "res.company" else self.company_id
        return record.sudo(), field

    @api.model
    def _apply_due(self, today=None):
        """Apply the approved changes whose date has come. Idempotent: an
        applied change is never applied again."""
        today = today or fields.Date.context_today(self)
        due = self.sudo().search(
            [("state", "=", "approved"), ("effective_date", "<=", today)],
            order="effective_date, id",
        )
        for change in due:
            record, field = change._target()
            value = (
                change.new_value
                if change.kind == "coefficient"
                else int(change.new_value)
            )
            old_value = record[field]
            # a coefficient changes the catalog: services confirmed before keep
            # the coefficient they were confirmed with
            record.write({field: value})
            change._guarded_write(
                {"state": "applied", "old_value": old_value, "applied_date": today}
            )
            old_text, new_text = f"{old_value:g}", f"{value:g}"
            change.message_post(
                body=_(
                    "Applied on %(date)s: %(old)s becomes %(new)s.",
                    date=today,
                    old=old_text,
                    new=new_text,
                )
            )
        return due

    @api.model
    def _cron_apply(self):
        self._apply_due()
        return True
