from . import test_hard_filters
from . import test_ranking
