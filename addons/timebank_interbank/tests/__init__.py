from . import test_level0
