from . import portal
from . import impact
from . import home
