from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

JOURNAL_TYPES = [
    ("exchange", "Exchanges"),
    ("issuance", "Issuance"),
    ("donation", "Donations"),
    ("expiry", "Expiry"),
    ("adjustment", "Adjustments"),
]
JOURNAL_CODES = {
    "exchange": "EXC",
    "issuance": "ISS",
    "donation": "DON",
    "expiry": "EXP",
    "adjustment": "ADJ",
}


class TimebankJournal(models.Model):
    _name = "timebank.journal"
    _description = "Time Bank Journal"
    _inherit = ["timebank.guarded.mixin"]
    _check_company_auto = True
    _guarded_fields = ("type", "company_id", "next_number")
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True, help="Prefix of the entry numbers of this journal."
    )
    type = fields.Selection(JOURNAL_TYPES, required=True, readonly=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    next_number = fields.Integer(
        readonly=True,
        default=1,
        copy=False,
        help="Number the next posted entry of this journal receives.",
    )
    entry_count = fields.Integer(compute="_compute_entry_count")

    _sql_constraints = [
        (
            "company_type_uniq",
            "unique (company_id, type)",
            "A time bank has one journal of each type.",
        ),
    ]

    def _guarded_hint(self):
        return _(
            "A bank's journals come with its ledger and their numbers are taken "
            "by posting, without gaps."
        )

    def write(self, vals):
        if "code" in vals and not self._guarded_allowed():
            used = self.filtered(
                lambda journal: journal.code != vals["code"] and journal.next_number > 1
            )
            if used:
                raise UserError(
                    _(
                        "%(journal)s has posted entries numbered %(code)s/...: its "
                        "prefix can no longer change.",
                        journal=used[0].display_name,
                        code=used[0].code,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            _("A bank's journals come with its ledger and cannot be deleted.")
        )

    def _compute_entry_count(self):
        counts = dict(
            self.env["timebank.entry"]._read_group(
                [("journal_id", "in", self.ids), ("state", "!=", "draft")],
                ["journal_id"],
                ["__count"],
            )
        )
        for journal in self:
            journal.entry_count = counts.get(journal, 0)

    def _create_for_companies(self, companies):
        existing = {
            (journal.company_id.id, journal.type)
            for journal in self.with_context(active_test=False).search(
                [("company_id", "in", companies.ids)]
            )
        }
        labels = dict(JOURNAL_TYPES)
        vals_list = [
            {
                "name": labels[journal_type],
                "code": JOURNAL_CODES[journal_type],
                "type": journal_type,
                "sequence": 10 * index,
                "company_id": company.id,
            }
            for company in companies
            for index, (journal_type, _label) in enumerate(JOURNAL_TYPES, 1)
            if (company.id, journal_type) not in existing
        ]
        journals = self._guarded_create(vals_list)
        journals._translate_names()
        return journals

    def _translate_names(self, langs=None):
        """Name each journal in every language installed (or ``langs``) as its
        type reads there, unless someone renamed it."""
        english = dict(JOURNAL_TYPES)
        langs = langs or [code for code, _name in self.env["res.lang"].get_installed()]
        translations = {}
        for lang in langs:
            if lang == "en_US":
                continue
            env = self.with_context(lang=lang).env
            labels = dict(self._fields["type"]._description_selection(env))
            for journal in self:
                if journal.with_context(lang="en_US").name == english[journal.type]:
                    translations.setdefault(journal, {})[lang] = labels[journal.type]
        for journal, names in translations.items():
            journal.update_field_translations("name", names)

    def _get(self, company, journal_type):
        journal = self.sudo().search(
            [("company_id", "=", company.id), ("type", "=", journal_type)], limit=1
        )
        if not journal:
            company._timebank_create_ledger()
            journal = self.sudo().search(
                [("company_id", "=", company.id), ("type", "=", journal_type)], limit=1
            )
        return journal.with_env(self.env)

    def _reserve_numbers(self, count):
        """Take ``count`` consecutive numbers of this journal, gapless.

        The row stays locked until the transaction ends, so numbers are never
        given twice and a rolled back posting gives its numbers back.
        """
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "UPDATE timebank_journal SET next_number = next_number + %s "
                "WHERE id = %s RETURNING next_number - %s",
                count,
                self.id,
                count,
            )
        )
        first = self.env.cr.fetchone()[0]
        self.invalidate_recordset(["next_number"])
        return [f"{self.code}/{number:06d}" for number in range(first, first + count)]

    def action_view_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_core.timebank_entry_action"
        )
        action["domain"] = [("journal_id", "=", self.id)]
        action["context"] = {"default_journal_id": self.id}
        action["name"] = _("Entries of %(journal)s", journal=self.name)
        return action
