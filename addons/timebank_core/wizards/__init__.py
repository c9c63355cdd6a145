from . import timebank_donation_wizard
from . import timebank_statement_wizard
from . import timebank_recognition_wizard
from . import timebank_kpi_wizard
from . import timebank_exchange_confirm_wizard
from . import timebank_seal_wizard
from . import timebank_expiry_preview_wizard
from . import timebank_exchange_rate_wizard
