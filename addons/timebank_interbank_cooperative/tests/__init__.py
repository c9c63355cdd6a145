from . import test_statement_dispute
from . import test_chain_dispute
