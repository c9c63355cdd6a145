from . import test_catalog
from . import test_member_generation
from . import test_member_number
from . import test_member_state
from . import test_partner
from . import test_security
from . import test_views
