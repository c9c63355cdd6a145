from . import portal
from . import impact
