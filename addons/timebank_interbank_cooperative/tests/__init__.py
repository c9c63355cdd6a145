from . import test_statement_dispute
