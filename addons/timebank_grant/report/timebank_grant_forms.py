from odoo import api, models

from .form_format import form_date, form_period, form_year


class FunderForm(models.AbstractModel):
    """What the printed forms of the funder share: dates as the form writes
    them (民國 in Traditional Chinese)."""

    _name = "report.timebank_grant.funder_form"
    _description = "Funder's Form"
    # the model the form prints
    _form_model = None

    @api.model
    def _get_report_values(self, docids, data=None):
        env = self.env
        return {
            "doc_ids": docids,
            "doc_model": self._form_model,
            "docs": env[self._form_model].browse(docids),
            "form_date": lambda day, with_year=True: form_date(env, day, with_year),
            "form_period": lambda date_from, date_to: form_period(
                env, date_from, date_to
            ),
            "form_year": lambda year: form_year(env, year),
        }


class ExpenditureListReport(models.AbstractModel):
    """A claim's list of supporting documents (支用單據明細表)."""

    _name = "report.timebank_grant.report_expenditure_list"
    _inherit = "report.timebank_grant.funder_form"
    _description = "Grant Claim: List of Supporting Documents"
    _form_model = "timebank.grant.claim"


class ConflictOfInterestReport(models.AbstractModel):
    """The conflict-of-interest self-check (Attachment 3), to sign and date."""

    _name = "report.timebank_grant.report_conflict_of_interest"
    _inherit = "report.timebank_grant.funder_form"
    _description = "Grant: Conflict-of-Interest Self-Check"
    _form_model = "timebank.grant"
