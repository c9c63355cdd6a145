from odoo import api, fields, models
from odoo.exceptions import UserError

from .timebank_grant_amendment import AMENDMENT_CONTEXT_KEY, AMENDMENT_WRITE


class TimebankGrant(models.Model):
    """A running grant's budget changes through versioned amendments only."""

    _inherit = "timebank.grant"

    amendment_ids = fields.One2many(
        "timebank.grant.amendment", "grant_id", string="Budget Versions"
    )
    budget_version = fields.Integer(
        compute="_compute_budget_version",
        help="The version of the budget in force (1: as the grant started).",
    )

    @api.depends("amendment_ids.version")
    def _compute_budget_version(self):
        for grant in self:
            grant.budget_version = max(grant.amendment_ids.mapped("version") or [0])

    def _check_budget_open(self):
        if self.env.context.get(AMENDMENT_CONTEXT_KEY) is AMENDMENT_WRITE:
            return super(
                TimebankGrant, self.filtered(lambda g: g.state != "running")
            )._check_budget_open()
        running = self.filtered(lambda g: g.state == "running")
        if running:
            raise UserError(
                self.env._(
                    "The budget of %(grants)s is running: its lines change only "
                    "through a budget amendment (Amend Budget on the grant), which "
                    "keeps who changed what, when and why.",
                    grants=", ".join(running.mapped("display_name")),
                )
            )
        return super()._check_budget_open()

    def _check_budget_rules(self):
        # an amendment writes its lines one by one, then checks the whole budget
        if self.env.context.get(AMENDMENT_CONTEXT_KEY) is AMENDMENT_WRITE:
            return
        return super()._check_budget_rules()

    def _check_amendable(self):
        _ = self.env._
        not_running = self.filtered(lambda g: g.state != "running")
        if not_running:
            raise UserError(
                _(
                    "%(grants)s: a budget is amended while the grant runs; a draft "
                    "or approved grant changes its budget lines directly.",
                    grants=", ".join(not_running.mapped("display_name")),
                )
            )
        pending = self.amendment_ids.filtered(
            lambda a: a.state in ("draft", "to_approve")
        )
        if pending:
            raise UserError(
                _(
                    "%(amendments)s is not decided yet: apply, refuse or delete it "
                    "before asking for another amendment.",
                    amendments=", ".join(pending.mapped("name")),
                )
            )

    def _ensure_budget_version(self):
        """Version 1: the budget as the grant started."""
        Amendment = self.env["timebank.grant.amendment"]
        now = fields.Datetime.now()
        for grant in self.filtered(lambda g: not g.amendment_ids):
            Amendment._guarded_create(
                [
                    {
                        "grant_id": grant.id,
                        "reason": self.env._("Budget as the grant started."),
                        "state": "approved",
                        "version": 1,
                        "request_user_id": self.env.user.id,
                        "request_date": now,
                        "approve_user_id": self.env.user.id,
                        "approve_date": now,
                        "subsidy_total": grant.subsidy_total,
                        "self_funded_total": grant.self_funded_total,
                        "fee_amount": grant.fee_amount,
                        "fee_cap": grant.fee_cap,
                    }
                ]
            ).line_ids._freeze()

    def action_start(self):
        result = super().action_start()
        self._ensure_budget_version()
        return result

    def action_amend_budget(self):
        """A draft amendment of the budget, its lines as they are."""
        self.ensure_one()
        self._check_amendable()
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.grant.amendment",
            "view_mode": "form",
            "context": {"default_grant_id": self.id},
        }

    def action_view_amendments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_grant.timebank_grant_amendment_action"
        )
        action["domain"] = [("grant_id", "=", self.id)]
        action["context"] = {"create": False}
        return action


class TimebankGrantLine(models.Model):
    _inherit = "timebank.grant.line"

    def _used_amounts(self):
        """{line: (subsidy, self-funded)} assigned to expenditures: what the
        line has committed or spent, which no version may go below."""
        return {
            line.with_env(self.env): (subsidy, self_funded)
            for line, subsidy, self_funded in self.env["timebank.grant.expense"]
            .sudo()
            ._read_group(
                [("line_id", "in", self.ids), ("state", "=", "assigned")],
                ["line_id"],
                ["subsidy_amount:sum", "self_funded_amount:sum"],
            )
        }
