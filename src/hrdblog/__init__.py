"""hrdblog: a static blog generator for human-rights news."""

__version__ = "0.1.0"
