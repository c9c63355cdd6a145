from . import test_care_plan
from . import test_expiry
from . import test_hard_filters
from . import test_portal
from . import test_ranking
from . import test_request_flow
from . import test_security
from . import test_member_features
