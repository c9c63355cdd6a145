from . import verify_ledger
