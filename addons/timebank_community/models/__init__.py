from . import event_type
from . import event_event
from . import timebank_member
from . import timebank_story
