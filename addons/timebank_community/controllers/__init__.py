from . import impact
from . import portal
