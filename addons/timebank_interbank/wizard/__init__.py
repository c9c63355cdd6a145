from . import timebank_interbank_send_wizard
