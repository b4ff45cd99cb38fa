"""expressivity: the command line, the regression suite and the pytest plugin.

The library layers are the packages ``analyzer`` (symbolic), ``networks`` (arrays),
``verify`` (certified ranks) and ``reports`` (rendering).
"""

__version__ = "0.1.0"
