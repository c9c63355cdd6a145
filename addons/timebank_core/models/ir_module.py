from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"  # pylint: disable=consider-merging-classes-inherited

    def _load_module_terms(
        self, modules, langs, overwrite=False, imported_module=False
    ):
        """A language installed later also names the banks' journals."""
        result = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        if "timebank_core" in modules and "timebank.journal" in self.env:
            journals = (
                self.env["timebank.journal"]
                .sudo()
                .with_context(active_test=False)
                .search([])
            )
            journals._translate_names(langs)
        return result
