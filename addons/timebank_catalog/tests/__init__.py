from . import test_table_1
