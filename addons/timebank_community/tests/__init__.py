from . import test_gathering_invite
from . import test_gathering_reminder
from . import test_portal_gatherings
from . import test_story
from . import test_story_portal
