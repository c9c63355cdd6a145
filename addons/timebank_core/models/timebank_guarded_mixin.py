from odoo import _, api, models, tools
from odoo.exceptions import UserError

# Only the product's own code passes this object in the context (key
# ``timebank_ledger``); a client cannot send a Python object over RPC, so no
# user, whatever their groups, writes the guarded fields from outside.
GUARDED_WRITE = object()
GUARDED_CONTEXT_KEY = "timebank_ledger"
# A narrower leave, for a model's own ``create``: (GUARDED_WRITE, model, fields)
# lets the create set those fields of that model only, while whatever the
# values reach on other models (x2many commands) is checked as usual.
GUARDED_ALLOW_KEY = "timebank_guarded_allow"
# Fields the ORM keeps itself.
MAGIC_FIELDS = {"id", "create_uid", "create_date", "write_uid", "write_date"}


class TimebankGuardedMixin(models.AbstractModel):
    """Fields that only the time bank's own code writes.

    A model lists in ``_guarded_fields`` the fields its actions, its workflow or
    the ledger set (state, links to entries, totals, numbers...). Computed fields
    without an inverse and read-only related fields are guarded too, without
    being listed. A plain ``create`` or ``write`` of a guarded field is refused
    for every user over every path with a message naming what sets it
    (``_guarded_hint``); the model's own code writes them with
    ``_guarded_write`` (or the ``GUARDED_WRITE`` context). On ``create``, a
    guarded field may only be given its default value.

    ``_guarded_fields`` of every class of the model (each addon that extends
    it) add up.
    """

    _name = "timebank.guarded.mixin"
    _description = "Time Bank Guarded Fields"
    _guarded_fields = ()

    @api.model
    @tools.ormcache()
    def _guarded_field_names(self):
        names = set()
        for cls in type(self).__mro__:
            names.update(cls.__dict__.get("_guarded_fields", ()))
        for name, field in self._fields.items():
            if name in MAGIC_FIELDS:
                continue
            if (field.compute or field.related) and field.readonly:
                names.add(name)
        return frozenset(names & set(self._fields))

    def _guarded_hint(self):
        """What sets the guarded fields, for the refusal (one short sentence)."""
        return _("They are set by the buttons of the record, not written by hand.")

    def _guarded_allowed(self):
        return self.env.context.get(GUARDED_CONTEXT_KEY) is GUARDED_WRITE

    def _guarded_allowed_names(self):
        allow = self.env.context.get(GUARDED_ALLOW_KEY)
        if (
            isinstance(allow, tuple)
            and len(allow) == 3
            and allow[0] is GUARDED_WRITE
            and allow[1] == self._name
        ):
            return allow[2]
        return frozenset()

    @api.model
    def _guarded_allow(self, names):
        """The context under which this model's ``create`` sets ``names``."""
        return {GUARDED_ALLOW_KEY: (GUARDED_WRITE, self._name, frozenset(names))}

    def _guarded_refuse(self, names):
        labels = ", ".join(
            f"{self._fields[name]._description_string(self.env)} ({name})"
            for name in sorted(names)
        )
        raise UserError(
            _(
                "%(model)s: %(fields)s cannot be written. %(hint)s",
                model=self._description_label(),
                fields=labels,
                hint=self._guarded_hint(),
            )
        )

    def _description_label(self):
        return self.env["ir.model"]._get(self._name).name or self._description

    def _guarded_default(self, name):
        field = self._fields[name]
        if not field.default:
            return False
        return field.convert_to_write(
            field.convert_to_cache(field.default(self), self), self
        )

    def _check_text_values(self, vals):
        """PostgreSQL stores no NUL character: say so instead of a raw error."""
        for name, value in vals.items():
            if isinstance(value, str) and "\x00" in value and name in self._fields:
                raise UserError(
                    _(
                        "%(field)s contains a NUL character (\\x00), which cannot be "
                        "stored: remove it.",
                        field=self._fields[name]._description_string(self.env),
                    )
                )

    def _check_guarded_create(self, vals_list):
        for vals in vals_list:
            self._check_text_values(vals)
        if self._guarded_allowed():
            return
        guarded = self._guarded_field_names() - self._guarded_allowed_names()
        for vals in vals_list:
            given = {
                name
                for name in guarded & set(vals)
                if vals[name] not in (False, None, "", [])
                and vals[name] != self._guarded_default(name)
            }
            given |= {
                name
                for name in guarded
                if self.env.context.get(f"default_{name}") not in (None, False)
                and self.env.context[f"default_{name}"] != self._guarded_default(name)
            }
            if given:
                self._guarded_refuse(given)

    def _check_guarded_write(self, vals):
        self._check_text_values(vals)
        if self._guarded_allowed():
            return
        given = (self._guarded_field_names() - self._guarded_allowed_names()) & set(
            vals
        )
        if given:
            self._guarded_refuse(given)

    def _guarded_write(self, vals):
        """Write guarded fields: for the model's own actions only."""
        return self.with_context(**{GUARDED_CONTEXT_KEY: GUARDED_WRITE}).write(vals)

    def _guarded_create(self, vals_list):
        records = self.with_context(**{GUARDED_CONTEXT_KEY: GUARDED_WRITE}).create(
            vals_list
        )
        return records.with_env(self.env)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_guarded_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_guarded_write(vals)
        return super().write(vals)
