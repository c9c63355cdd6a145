from . import test_budget_rules
from . import test_claim
from . import test_deadline
from . import test_expense
from . import test_reports
from . import test_security
