from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# the funder disburses once the grant is approved, until it is closed
DISBURSEMENT_STATES = ("approved", "running", "closing")


class TimebankGrantDisbursement(models.Model):
    """Money of the funder: a disbursement received, or unused subsidy repaid
    at closing."""

    _name = "timebank.grant.disbursement"
    _description = "Grant Disbursement"
    _inherit = ["mail.thread"]
    _order = "date, id"
    _check_company_auto = True

    grant_id = fields.Many2one(
        "timebank.grant", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="grant_id.company_id", store=True)
    currency_id = fields.Many2one(related="grant_id.currency_id", store=True)
    kind = fields.Selection(
        [("received", "Received from the Funder"), ("repaid", "Repaid to the Funder")],
        required=True,
        default="received",
        tracking=True,
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    amount = fields.Monetary(required=True, tracking=True)
    reference = fields.Char(help="The funder's letter or the bank transfer.")
    claim_id = fields.Many2one(
        "timebank.grant.claim",
        domain="[('grant_id', '=', grant_id), ('state', 'in', ('approved', 'paid'))]",
        help="The approved claim the funder pays with this disbursement.",
    )

    _sql_constraints = [
        (
            "amount_positive",
            "CHECK(amount > 0)",
            "A disbursement or repayment is a positive amount.",
        ),
    ]

    @api.constrains("grant_id", "kind", "amount", "claim_id")
    def _check_money_flow(self):
        _ = self.env._
        problems = []
        for grant in self.grant_id:
            currency = grant.currency_id
            if grant.state not in DISBURSEMENT_STATES:
                problems.append(
                    _(
                        "%(grant)s: the funder's money is recorded once the grant "
                        "is approved and until it is closed.",
                        grant=grant.display_name,
                    )
                )
            received, repaid = grant._money_totals()
            if currency.compare_amounts(received, grant.subsidy_total) > 0:
                problems.append(
                    _(
                        "%(grant)s: %(received)s received is more than the "
                        "approved subsidy of %(awarded)s.",
                        grant=grant.display_name,
                        received=grant._format(received),
                        awarded=grant._format(grant.subsidy_total),
                    )
                )
            repaid_problem = self._repaid_problem(grant)
            if repaid_problem:
                problems.append(repaid_problem)
        for disbursement in self.filtered("claim_id"):
            claim = disbursement.claim_id
            if claim.grant_id != disbursement.grant_id or claim.state not in (
                "approved",
                "paid",
            ):
                problems.append(
                    _(
                        "Claim %(claim)s is not an approved claim of %(grant)s.",
                        claim=claim.name,
                        grant=disbursement.grant_id.display_name,
                    )
                )
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model
    def _repaid_problem(self, grant):
        """Why the money of ``grant`` does not hold (more repaid than received)."""
        received, repaid = grant._money_totals()
        if grant.currency_id.compare_amounts(repaid, received) <= 0:
            return None
        return self.env._(
            "%(grant)s: %(repaid)s repaid is more than the %(received)s received.",
            grant=grant.display_name,
            repaid=grant._format(repaid),
            received=grant._format(received),
        )

    def write(self, vals):
        self._check_grant_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_grant_open(self):
        self._check_grant_open()

    def unlink(self):
        grants = self.grant_id
        result = super().unlink()
        # what is left must still hold: never more repaid than received
        problems = [p for p in map(self._repaid_problem, grants) if p]
        if problems:
            raise ValidationError("\n".join(problems))
        return result

    def _check_grant_open(self):
        closed = self.grant_id.filtered(lambda g: g.state not in DISBURSEMENT_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "%(grants)s: the funder's money of a closed grant stays as it "
                    "was recorded.",
                    grants=", ".join(closed.mapped("display_name")),
                )
            )

    @api.depends("grant_id", "kind", "date")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for disbursement in self:
            disbursement.display_name = " - ".join(
                filter(
                    None,
                    [
                        disbursement.grant_id.display_name,
                        kinds.get(disbursement.kind),
                        disbursement.date and str(disbursement.date),
                    ],
                )
            )


class TimebankGrant(models.Model):
    _inherit = "timebank.grant"  # pylint: disable=consider-merging-classes-inherited

    disbursement_ids = fields.One2many("timebank.grant.disbursement", "grant_id")
    amount_received = fields.Monetary(
        string="Received",
        compute="_compute_money_flow",
        help="Disbursed by the funder.",
    )
    amount_spent = fields.Monetary(
        string="Subsidy Spent",
        compute="_compute_money_flow",
        help="The subsidy part of the assigned expenditures of paid bills.",
    )
    amount_repaid = fields.Monetary(
        string="Repaid",
        compute="_compute_money_flow",
        help="Unused subsidy paid back to the funder.",
    )
    amount_to_repay = fields.Monetary(
        string="To Repay",
        compute="_compute_money_flow",
        help="Received, less the subsidy spent and what is repaid already: what "
        "goes back to the funder at closing (negative: what the funder still "
        "owes).",
    )

    def _money_totals(self):
        """(received, repaid) of the grant, whoever asks."""
        self.ensure_one()
        totals = dict(
            self.env["timebank.grant.disbursement"]
            .sudo()
            ._read_group([("grant_id", "=", self.id)], ["kind"], ["amount:sum"])
        )
        return totals.get("received", 0.0), totals.get("repaid", 0.0)

    @api.depends(
        "disbursement_ids.amount",
        "disbursement_ids.kind",
        "line_ids.subsidy_spent",
    )
    def _compute_money_flow(self):
        for grant in self:
            currency = grant.currency_id or grant.company_id.currency_id
            received, repaid = grant._money_totals() if grant.id else (0.0, 0.0)
            spent = currency.round(sum(grant.line_ids.mapped("subsidy_spent")))
            grant.amount_received = currency.round(received)
            grant.amount_repaid = currency.round(repaid)
            grant.amount_spent = spent
            grant.amount_to_repay = currency.round(received - spent - repaid)

    def action_draft(self):
        received = self.filtered("disbursement_ids")
        if received:
            raise UserError(
                self.env._(
                    "%(grants)s: the funder's money is recorded on them; they stay "
                    "approved.",
                    grants=", ".join(received.mapped("display_name")),
                )
            )
        return super().action_draft()
