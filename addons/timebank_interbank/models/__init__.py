from . import res_company
from . import timebank_account
from . import timebank_interbank_key
from . import timebank_peer
from . import timebank_peer_key
from . import timebank_interbank_link
from . import timebank_interbank_transfer
