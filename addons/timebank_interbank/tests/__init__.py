from . import test_level0
from . import test_portal_and_rpc
from . import test_concurrency
from . import test_control_messages
from . import test_service
