import json
from datetime import date

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from odoo.addons.timebank_core.models.timebank_account import format_minutes

# an assembly in these states is kept as it was: agenda, attendance, votes, minutes
FINAL_STATES = ("closed", "cancelled")
# what the members were convened to: fixed once the convocation is sent
CONVOCATION_FIELDS = {
    "kind",
    "date",
    "year",
    "quorum_percent",
    "max_proxies",
    "company_id",
    "notice",
}


class TimebankAssembly(models.Model):
    _name = "timebank.assembly"
    _description = "Time Bank General Assembly"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "date desc, id desc"
    _guarded_fields = (
        "state",
        "convocation_date",
        "session_start",
        "session_end",
        "eligible_count",
        "accounts_summary",
        "accounts_figures",
        "accounts_presented_date",
        "accounts_approved_date",
        "accounts_chain_hash",
        "accounts_entry_count",
    )

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
    session_start = fields.Datetime(
        string="Session Opened", readonly=True, copy=False, tracking=True
    )
    session_end = fields.Datetime(
        string="Session Closed", readonly=True, copy=False, tracking=True
    )
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
        help="The ledger of the accounts year, as it stands now.",
    )
    accounts_summary = fields.Html(
        string="Accounts Put to the Vote",
        readonly=True,
        copy=False,
        sanitize=False,
        help="The ledger summary of the accounts year as it was presented to the "
        "members when the session opened: what they vote on, and what is sealed "
        "when they approve it.",
    )
    accounts_figures = fields.Text(
        string="Figures Presented",
        readonly=True,
        copy=False,
        help="Entries and minutes of each journal in the accounts presented, to "
        "tell whether the ledger of the year moved before the vote closed.",
    )
    accounts_presented_date = fields.Datetime(
        string="Accounts Presented On", readonly=True, copy=False
    )
    accounts_moved = fields.Boolean(
        string="Ledger Moved Since Presented",
        compute="_compute_accounts_moved",
        help="Entries of the accounts year were posted or reversed after the "
        "accounts were presented: present them again before the vote closes.",
    )
    accounts_approved_date = fields.Datetime(readonly=True, copy=False)
    accounts_chain_hash = fields.Char(
        string="Ledger Seal",
        readonly=True,
        copy=False,
        help="Hash of the bank's last posted entry when the accounts were presented: "
        "any later change to an entry up to it breaks the chain.",
    )
    accounts_entry_count = fields.Integer(
        string="Entries Sealed",
        readonly=True,
        copy=False,
        help="Number of entries of the bank's chain when the accounts were presented.",
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
            assembly.ledger_summary = assembly._render_ledger_summary(
                assembly._ledger_summary_rows()
            )

    @api.depends("accounts_figures", "accounts_approved_date", "year", "company_id")
    def _compute_accounts_moved(self):
        for assembly in self:
            assembly.accounts_moved = bool(
                assembly.accounts_figures
                and not assembly.accounts_approved_date
                and assembly.accounts_figures != assembly._ledger_figures()
            )

    def _render_ledger_summary(self, rows):
        if not rows:
            return False
        body = Markup("").join(
            Markup(
                "<tr><td>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%s</td></tr>"
            )
            % (journal, count, format_minutes(minutes))
            for journal, count, minutes in rows
        )
        return Markup(
            "<table class='table table-sm'><thead><tr>"
            "<th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "</tr></thead><tbody>%s</tbody></table>"
        ) % (_("Journal"), _("Entries"), _("Hours"), body)

    def _ledger_rows(self):
        """[(journal id, entries, minutes)] posted in the accounts year."""
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
        return [(row[0], row[1], row[2] or 0) for row in self.env.cr.fetchall()]

    def _ledger_summary_rows(self, rows=None):
        """[(journal, entries, minutes)] posted in the accounts year."""
        rows = self._ledger_rows() if rows is None else rows
        journals = self.env["timebank.journal"].sudo().browse([r[0] for r in rows])
        names = {journal.id: journal.name for journal in journals}
        return [(names[row[0]], row[1], row[2]) for row in rows]

    def _ledger_figures(self, rows=None):
        """The figures of the accounts year, comparable from one reading to the
        next."""
        rows = self._ledger_rows() if rows is None else rows
        return json.dumps([list(row) for row in rows])

    def _present_accounts(self):
        """Show the members the ledger summary they vote on: it is kept with the
        head of the bank's hash chain, and it is what approving them seals."""
        # every posting the summary counts is numbered and chained first
        self.env["timebank.chain"].sudo()._sequence_pending(self.company_id.ids)
        self.env["timebank.chain"].invalidate_model(["last_hash", "entry_count"])
        chains = (
            self.env["timebank.chain"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        )
        heads = {chain.company_id: chain for chain in chains}
        now = fields.Datetime.now()
        for assembly in self:
            rows = assembly._ledger_rows()
            chain = heads.get(assembly.company_id)
            assembly._guarded_write(
                {
                    "accounts_summary": assembly._render_ledger_summary(
                        assembly._ledger_summary_rows(rows)
                    )
                    or Markup("<p>%s</p>") % _("No entry posted in the year."),
                    "accounts_figures": assembly._ledger_figures(rows),
                    "accounts_presented_date": now,
                    "accounts_chain_hash": chain.last_hash if chain else False,
                    "accounts_entry_count": chain.entry_count if chain else 0,
                }
            )
            assembly.message_post(
                body=_(
                    "Accounts of %(year)s presented to the vote; ledger sealed at "
                    "entry %(count)s of the chain.",
                    year=assembly.year,
                    count=assembly.accounts_entry_count,
                )
            )

    def _check_accounts_as_presented(self):
        """The figures voted on are those of the ledger now: else present them
        again before the vote closes."""
        for assembly in self:
            if not assembly.accounts_figures:
                raise UserError(
                    _(
                        "The accounts of %(assembly)s were not presented to the "
                        "members: present them (Present the Accounts) before the "
                        "vote.",
                        assembly=assembly.name,
                    )
                )
            if assembly.accounts_figures != assembly._ledger_figures():
                raise UserError(
                    _(
                        "The ledger of %(year)s moved after the accounts were "
                        "presented on %(date)s: present them again (Present the "
                        "Accounts) and vote on the figures as they are now.",
                        year=assembly.year,
                        date=format_datetime(
                            assembly.env, assembly.accounts_presented_date
                        ),
                    )
                )

    def _approve_accounts(self):
        """The accounts presented are approved: the summary and the seal they
        were presented with never move afterwards."""
        self._check_accounts_as_presented()
        now = fields.Datetime.now()
        for assembly in self:
            assembly._guarded_write({"accounts_approved_date": now})
            # the year is sealed: nothing is posted in it any more
            assembly.company_id._timebank_lock_until(date(assembly.year, 12, 31))
            assembly.message_post(
                body=_(
                    "Accounts of %(year)s approved; ledger sealed at entry "
                    "%(count)s of the chain.",
                    year=assembly.year,
                    count=assembly.accounts_entry_count,
                )
            )

    def _accounts_items(self):
        return self.item_ids.filtered(lambda i: i.kind == "accounts")

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _(
            "An assembly moves with its buttons (Convene, Open the Session, Present "
            "the Accounts, Close the Vote, Close, Cancel)."
        )

    def _check_final(self):
        """Refuse any change to an assembly that is closed or cancelled."""
        final = self.filtered(lambda a: a.state in FINAL_STATES)
        if final:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "%(assembly)s is %(state)s: its agenda, attendance, votes and "
                    "minutes stay as they are.",
                    assembly=", ".join(final.mapped("name")),
                    state=", ".join(sorted({labels[a.state] for a in final})),
                )
            )

    def _check_convened_agenda(self):
        """The agenda is what the members were convened to."""
        convened = self.filtered(lambda a: a.state != "draft")
        if convened:
            raise UserError(
                _(
                    "%(assembly)s was convened with its agenda: items and policy "
                    "changes are added, removed or changed only before the "
                    "convocation. Put them on the agenda of another assembly.",
                    assembly=", ".join(convened.mapped("name")),
                )
            )

    def _check_agenda_open(self):
        """Items and policy changes are added to a draft agenda only."""
        self._check_final()
        self._check_convened_agenda()

    def _check_register_open(self):
        """Once a vote is closed, the attendance it counted for its quorum
        stays as it was until the end of the session."""
        decided = self.item_ids.filtered(lambda i: i.result != "pending")
        if decided:
            raise UserError(
                _(
                    "The vote on %(items)s is closed: the attendance of "
                    "%(assembly)s, who was present and who represented whom, "
                    "stays as that vote counted it.",
                    items=", ".join(decided.mapped("name")),
                    assembly=", ".join(decided.assembly_id.mapped("name")),
                )
            )

    def _check_session_open(self):
        """Attendance and votes are recorded while the assembly is in session."""
        self._check_final()
        self._check_in_session()

    def _mail_field_names(self):
        return set(self.env["mail.thread"]._fields) | set(
            self.env["mail.activity.mixin"]._fields
        )

    def write(self, vals):
        if not self._guarded_allowed():
            changed = set(vals) - self._mail_field_names()
            if changed:
                self._check_final()
            if changed & CONVOCATION_FIELDS:
                convened = self.filtered(lambda a: a.state != "draft")
                if convened:
                    raise UserError(
                        _(
                            "%(assembly)s was convened: its date, kind, accounts "
                            "year, quorum, proxies and notice are those of the "
                            "convocation and stay as they are.",
                            assembly=", ".join(convened.mapped("name")),
                        )
                    )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unheld(self):
        held = self.filtered(lambda a: a.state not in ("draft", "cancelled"))
        if held:
            raise UserError(
                _(
                    "%(assembly)s was convened: it is cancelled, not deleted.",
                    assembly=", ".join(held.mapped("name")),
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
            assembly._guarded_write({"state": "convened", "convocation_date": today})
            assembly.message_post_with_source(
                "timebank_cooperative.mail_template_assembly_convocation",
                partner_ids=members.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_open(self):
        """The session starts: the members entitled to vote are counted now, and
        the accounts of the year are presented before anyone votes on them."""
        self._check_assembly_state(
            ("convened",), _("Convene the assembly before opening its session.")
        )
        now = fields.Datetime.now()
        self._check_open_time(now)
        for assembly in self:
            assembly._guarded_write(
                {
                    "state": "in_session",
                    "session_start": now,
                    "eligible_count": assembly._active_member_count(),
                }
            )
        self.filtered(lambda a: a._accounts_items())._present_accounts()
        return True

    def _check_open_time(self, now):
        """A session opens on the day and hour the members were convened to, and
        not before the notice period has run from the convocation."""
        today = fields.Date.context_today(self, now)
        for assembly in self:
            if today < fields.Date.context_today(assembly, assembly.date):
                raise UserError(
                    _(
                        "%(assembly)s was convened for %(date)s: its session opens "
                        "that day, not before. Members who were told that date must be "
                        "able to come and vote.",
                        assembly=assembly.name,
                        date=format_datetime(assembly.env, assembly.date),
                    )
                )
            notice_days = assembly.company_id.timebank_assembly_notice_days
            if (
                assembly.convocation_date
                and notice_days
                and (today - assembly.convocation_date).days < notice_days
            ):
                raise UserError(
                    _(
                        "%(assembly)s was convened on %(convened)s: members have "
                        "%(days)s days of notice, so its session opens on "
                        "%(first)s at the earliest.",
                        assembly=assembly.name,
                        convened=assembly.convocation_date,
                        days=notice_days,
                        first=assembly.convocation_date
                        + relativedelta(days=notice_days),
                    )
                )

    def action_present_accounts(self):
        """Present the accounts again, as the ledger stands now: votes cast on
        figures that have since moved are withdrawn, and the members vote again."""
        self._check_assembly_state(
            ("in_session",),
            _("The accounts are presented to the members during the session."),
        )
        for assembly in self:
            items = assembly._accounts_items()
            if not items:
                raise UserError(
                    _(
                        "%(assembly)s has no approval of the accounts on its agenda.",
                        assembly=assembly.name,
                    )
                )
            voted = items.filtered(lambda i: i.result != "pending")
            if voted:
                raise UserError(
                    _(
                        "The accounts of %(assembly)s were voted on: %(items)s.",
                        assembly=assembly.name,
                        items=", ".join(voted.mapped("name")),
                    )
                )
            if assembly.accounts_figures == assembly._ledger_figures():
                continue
            votes = items.vote_ids
            assembly._present_accounts()
            if votes:
                votes.sudo().unlink()
                assembly.message_post(
                    body=_(
                        "%(count)s votes cast on the accounts as presented before "
                        "were withdrawn: the members vote again on these figures.",
                        count=len(votes),
                    )
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
        self._guarded_write({"state": "closed", "session_end": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self._check_assembly_state(
            ("draft", "convened"), _("A held assembly cannot be cancelled.")
        )
        self._guarded_write({"state": "cancelled"})
        return True

    def action_print_minutes(self):
        # data: an empty dict rather than None, which XML-RPC cannot carry
        return self.env.ref(
            "timebank_cooperative.action_report_assembly_minutes"
        ).report_action(self, data={})

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
