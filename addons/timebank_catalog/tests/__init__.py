from . import test_table_1
from . import test_catalog_chinese
