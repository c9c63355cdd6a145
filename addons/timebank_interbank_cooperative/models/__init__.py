from . import timebank_dispute, timebank_peer
