from . import portal
from . import impact
from . import home
from . import join
