"""The answer key: reference implementations of everything students write.

Never shipped to students, never importable inside the grading sandbox. Written with the book's
names and contracts (Deep Learning from Scratch, chapter 5), but never mutating the caller's arrays.
One module per assignment; this package's namespace is what the judge runs scenarios against.
"""

from .activation_layers import *  # noqa: F401,F403
from .affine_softmax import *  # noqa: F401,F403
from .computational_graphs import *  # noqa: F401,F403
from .full_backprop import *  # noqa: F401,F403
from .simple_layers import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
