from . import timebank_grant_expense_kind
from . import timebank_grant_program
from . import timebank_grant
from . import timebank_grant_line
from . import timebank_grant_expense
from . import timebank_grant_claim
from . import account_move
from . import account_move_line
