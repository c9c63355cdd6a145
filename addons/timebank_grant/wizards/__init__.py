from . import timebank_grant_override_wizard
from . import timebank_grant_execution_wizard
