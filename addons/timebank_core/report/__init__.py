from . import timebank_statement_report
