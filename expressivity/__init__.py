"""expressivity: the command line and the pytest plugin (parsing and rendering only).

The library layers are the packages ``analyzer`` (symbolic), ``networks`` (arrays),
``verify`` (certified ranks), ``checks`` (the regression suites) and ``reports`` (rendering).
"""

__version__ = "0.1.0"
