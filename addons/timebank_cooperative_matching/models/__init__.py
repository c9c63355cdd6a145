from . import timebank_matching_engine
from . import timebank_request
