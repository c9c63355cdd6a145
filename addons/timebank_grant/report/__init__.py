from . import timebank_grant_budget_xlsx
from . import timebank_grant_estimate_xlsx
from . import timebank_grant_execution_xlsx
from . import timebank_grant_forms
