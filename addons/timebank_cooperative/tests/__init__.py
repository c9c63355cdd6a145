from . import test_assembly
from . import test_assembly_rules
from . import test_broker_check
from . import test_dispute
from . import test_dispute_security
from . import test_policy_change
from . import test_portal
from . import test_views
