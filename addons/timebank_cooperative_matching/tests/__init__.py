from . import test_ranking
from . import test_provider
