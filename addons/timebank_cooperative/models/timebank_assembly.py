from datetime import date

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.timebank_core.models.timebank_account import format_minutes


class TimebankAssembly(models.Model):
    _name = "timebank.assembly"
    _description = "Time Bank General Assembly"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    _order = "date desc, id desc"

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(
        [("annual", "Annual"), ("extraordinary", "Extraordinary")],
        required=True,
        default="annual",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date = fields.Datetime(required=True, tracking=True)
    place = fields.Char()
    year = fields.Integer(
        string="Accounts Year",
        default=lambda self: fields.Date.context_today(self).year - 1,
        help="The year whose ledger summary the annual assembly approves.",
    )
    notice = fields.Html(
        string="Convocation Notice",
        help="Sent to every active member when the assembly is convened.",
    )
    convocation_date = fields.Date(readonly=True, copy=False, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("convened", "Convened"),
            ("in_session", "In Session"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    quorum_percent = fields.Integer(
        string="Quorum (%)",
        default=lambda self: self.env.company.timebank_assembly_quorum,
        help="Share of the active members, present or represented, needed to vote.",
    )
    max_proxies = fields.Integer(
        string="Proxies per Member",
        default=lambda self: self.env.company.timebank_assembly_max_proxies,
    )
    eligible_count = fields.Integer(
        string="Members Entitled to Vote",
        readonly=True,
        copy=False,
        help="Active members when the session opened.",
    )
    attendance_ids = fields.One2many(
        "timebank.assembly.attendance", "assembly_id", copy=False
    )
    item_ids = fields.One2many(
        "timebank.assembly.item", "assembly_id", string="Agenda", copy=True
    )
    policy_change_ids = fields.One2many(
        "timebank.policy.change", "assembly_id", string="Policy Changes"
    )
    present_count = fields.Integer(string="Present", compute="_compute_attendance")
    represented_count = fields.Integer(
        string="Represented by Proxy", compute="_compute_attendance"
    )
    quorum_count = fields.Integer(
        string="Quorum (members)", compute="_compute_attendance"
    )
    quorum_reached = fields.Boolean(compute="_compute_attendance")
    ledger_summary = fields.Html(
        compute="_compute_ledger_summary",
        sanitize=False,
        help="The ledger of the accounts year, as it stands; frozen into the "
        "approved accounts when the assembly adopts them.",
    )
    accounts_summary = fields.Html(
        string="Approved Accounts",
        readonly=True,
        copy=False,
        sanitize=False,
        help="The ledger summary as the assembly approved it.",
    )
    accounts_approved_date = fields.Datetime(readonly=True, copy=False)
    accounts_chain_hash = fields.Char(
        string="Ledger Seal",
        readonly=True,
        copy=False,
        help="Hash of the bank's last posted entry when the accounts were approved: "
        "any later change to an entry up to it breaks the chain.",
    )
    accounts_entry_count = fields.Integer(
        string="Entries Sealed",
        readonly=True,
        copy=False,
        help="Number of entries of the bank's chain when the accounts were approved.",
    )
    minutes_note = fields.Html(string="Minutes", help="Discussion and remarks.")

    @api.depends(
        "attendance_ids.mode", "eligible_count", "quorum_percent", "company_id"
    )
    def _compute_attendance(self):
        for assembly in self:
            present = assembly.attendance_ids.filtered(lambda a: a.mode == "person")
            assembly.present_count = len(present)
            assembly.represented_count = len(assembly.attendance_ids) - len(present)
            eligible = assembly.eligible_count or assembly._active_member_count()
            # rounded up: 50 % of 5 members is 3
            assembly.quorum_count = -(-eligible * assembly.quorum_percent // 100)
            assembly.quorum_reached = bool(
                assembly.attendance_ids
                and len(assembly.attendance_ids) >= assembly.quorum_count
            )

    def _active_member_count(self):
        self.ensure_one()
        return (
            self.env["timebank.member"]
            .sudo()
            .search_count(
                [("company_id", "=", self.company_id.id), ("state", "=", "active")]
            )
        )

    @api.depends("year", "company_id")
    def _compute_ledger_summary(self):
        for assembly in self:
            rows = assembly._ledger_summary_rows()
            if not rows:
                assembly.ledger_summary = False
                continue
            body = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (journal, count, format_minutes(minutes))
                for journal, count, minutes in rows
            )
            assembly.ledger_summary = Markup(
                "<table class='table table-sm'><thead><tr>"
                "<th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
                "</tr></thead><tbody>%s</tbody></table>"
            ) % (_("Journal"), _("Entries"), _("Hours"), body)

    def _ledger_summary_rows(self):
        """[(journal, entries, minutes)] posted in the accounts year."""
        self.ensure_one()
        if not self.year or not self.company_id:
            return []
        self.env["timebank.entry"].flush_model(
            ["company_id", "date", "state", "journal_id", "total_minutes"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT journal_id, COUNT(*), SUM(total_minutes) FROM timebank_entry "
                "WHERE company_id = %s AND state IN ('posted', 'reversed') "
                "AND date >= %s AND date <= %s GROUP BY journal_id ORDER BY journal_id",
                self.company_id.id,
                date(self.year, 1, 1),
                date(self.year, 12, 31),
            )
        )
        rows = self.env.cr.fetchall()
        journals = self.env["timebank.journal"].sudo().browse([r[0] for r in rows])
        names = {journal.id: journal.name for journal in journals}
        return [(names[row[0]], row[1], row[2] or 0) for row in rows]

    def _approve_accounts(self):
        """Freeze the ledger summary the assembly adopted, sealed with the head of
        the bank's hash chain, so the approved figures never move afterwards."""
        chains = (
            self.env["timebank.chain"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        )
        heads = {chain.company_id: chain for chain in chains}
        now = fields.Datetime.now()
        for assembly in self:
            chain = heads.get(assembly.company_id)
            assembly.write(
                {
                    "accounts_summary": assembly.ledger_summary
                    or Markup("<p>%s</p>") % _("No entry posted in the year."),
                    "accounts_approved_date": now,
                    "accounts_chain_hash": chain.last_hash if chain else False,
                    "accounts_entry_count": chain.entry_count if chain else 0,
                }
            )
            assembly.message_post(
                body=_(
                    "Accounts of %(year)s approved; ledger sealed at entry "
                    "%(count)s of the chain.",
                    year=assembly.year,
                    count=assembly.accounts_entry_count,
                )
            )

    # ------------------------------------------------------------------ workflow
    def _check_assembly_state(self, allowed, message):
        if self.filtered(lambda a: a.state not in allowed):
            raise UserError(message)

    def action_convene(self):
        """Send the convocation notice to every active member."""
        self._check_assembly_state(
            ("draft",), _("Only a draft assembly can be convened.")
        )
        today = fields.Date.context_today(self)
        for assembly in self:
            notice_days = assembly.company_id.timebank_assembly_notice_days
            meeting_day = fields.Date.context_today(assembly, assembly.date)
            if (meeting_day - today).days < notice_days:
                raise UserError(
                    _(
                        "Members must be convened at least %(days)s days before the "
                        "assembly: %(assembly)s is on %(date)s.",
                        days=notice_days,
                        assembly=assembly.name,
                        date=meeting_day,
                    )
                )
            members = (
                self.env["timebank.member"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", assembly.company_id.id),
                        ("state", "=", "active"),
                    ]
                )
            )
            assembly.write({"state": "convened", "convocation_date": today})
            assembly.message_post_with_source(
                "timebank_cooperative.mail_template_assembly_convocation",
                partner_ids=members.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_open(self):
        """The session starts: the members entitled to vote are counted now."""
        self._check_assembly_state(
            ("convened",), _("Convene the assembly before opening its session.")
        )
        for assembly in self:
            assembly.write(
                {
                    "state": "in_session",
                    "eligible_count": assembly._active_member_count(),
                }
            )
        return True

    def action_close(self):
        self._check_assembly_state(
            ("in_session",), _("Only an assembly in session can be closed.")
        )
        open_items = self.item_ids.filtered(
            lambda i: i.vote_required and i.result == "pending"
        )
        if open_items:
            raise UserError(
                _(
                    "Close the votes first: %(items)s.",
                    items=", ".join(open_items.mapped("name")),
                )
            )
        self.write({"state": "closed"})
        return True

    def action_cancel(self):
        self._check_assembly_state(
            ("draft", "convened"), _("A held assembly cannot be cancelled.")
        )
        self.write({"state": "cancelled"})
        return True

    def action_print_minutes(self):
        return self.env.ref(
            "timebank_cooperative.action_report_assembly_minutes"
        ).report_action(self)

    def _check_in_session(self):
        not_open = self.filtered(lambda a: a.state != "in_session")
        if not_open:
            raise UserError(
                _(
                    "%(assembly)s is not in session: attendance and votes are "
                    "recorded during the session.",
                    assembly=", ".join(not_open.mapped("name")),
                )
            )
