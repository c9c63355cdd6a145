from . import res_company
from . import res_config_settings
from . import timebank_service_item
from . import timebank_matching_engine
from . import timebank_request
from . import timebank_request_candidate
from . import timebank_offer
from . import timebank_care_plan
