"""gradcli: a symbolic gradient calculator.

The mathematics is a plain Python API that returns frozen dataclasses; the
command line is a thin shell over it.
"""

__version__ = "0.1.0"
