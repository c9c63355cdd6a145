from odoo import api, fields, models
from odoo.exceptions import ValidationError

# how specific a match is: a product says more than an account, an account
# more than a word of the label
MATCH_ORDER = {"product": 0, "account": 1, "keyword": 2}


class TimebankGrantKindRule(models.Model):
    """A product, an expense account or a word of the label that says which
    kind of spending a journal item is, so that the kind is proposed when the
    item is imported (an excluded kind above all)."""

    _name = "timebank.grant.kind.rule"
    _description = "Grant Kind of Spending Rule"
    _order = "program_id, sequence, id"

    sequence = fields.Integer(default=10)
    program_id = fields.Many2one(
        "timebank.grant.program", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    kind_id = fields.Many2one(
        "timebank.grant.expense.kind",
        string="Kind of Spending",
        required=True,
        ondelete="cascade",
        domain="[('program_id', '=', program_id)]",
    )
    excluded = fields.Boolean(related="kind_id.excluded")
    product_id = fields.Many2one("product.product", ondelete="cascade")
    account_id = fields.Many2one(
        "account.account", string="Expense Account", ondelete="cascade"
    )
    keyword = fields.Char(
        help="A word or phrase of the journal item's label or product name "
        "(upper or lower case alike).",
    )

    @api.constrains("product_id", "account_id", "keyword", "kind_id", "program_id")
    def _check_rule(self):
        for rule in self:
            if not (rule.product_id or rule.account_id or (rule.keyword or "").strip()):
                raise ValidationError(
                    self.env._(
                        "A rule for %(kind)s needs a product, an expense account "
                        "or a keyword.",
                        kind=rule.kind_id.name,
                    )
                )
            if rule.kind_id.program_id != rule.program_id:
                raise ValidationError(
                    self.env._(
                        "%(kind)s is not a kind of spending of %(program)s.",
                        kind=rule.kind_id.name,
                        program=rule.program_id.display_name,
                    )
                )

    @api.depends("kind_id", "product_id", "account_id", "keyword")
    def _compute_display_name(self):
        for rule in self:
            rule.display_name = f"{rule.kind_id.name}: {rule._match_label()}"

    def _match_type(self):
        self.ensure_one()
        if self.product_id:
            return "product"
        return "account" if self.account_id else "keyword"

    def _match_label(self):
        """What the rule looks for, as the accountant reads it."""
        self.ensure_one()
        _ = self.env._
        parts = []
        if self.product_id:
            parts.append(_("product %(product)s", product=self.product_id.display_name))
        if self.account_id:
            parts.append(_("account %(account)s", account=self.account_id.display_name))
        if (self.keyword or "").strip():
            parts.append(_("keyword “%(keyword)s”", keyword=self.keyword.strip()))
        return ", ".join(parts)

    def _matches(self, item):
        """Whether the journal item is what the rule describes (every criterion
        of the rule holds)."""
        self.ensure_one()
        if self.product_id and item.product_id != self.product_id:
            return False
        if self.account_id and item.account_id != self.account_id:
            return False
        keyword = (self.keyword or "").strip().casefold()
        if keyword:
            text = " ".join(filter(None, [item.name, item.product_id.name]))
            if keyword not in text.casefold():
                return False
        return True

    @api.model
    def _proposals(self, program, items):
        """{journal item: rule} of the rule whose kind to propose for each
        item under the program: an excluded or personnel kind before any
        other, then the most specific match, then the sequence."""
        rules = self.search([("program_id", "=", program.id)]).sorted(
            lambda rule: (
                not (rule.kind_id.excluded or rule.kind_id.personnel),
                MATCH_ORDER[rule._match_type()],
                rule.sequence,
                rule.id,
            )
        )
        proposals = {}
        for item in items:
            for rule in rules:
                if rule._matches(item):
                    proposals[item] = rule
                    break
        return proposals
