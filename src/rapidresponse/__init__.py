"""rapidresponse: incident response for Trust & Safety teams."""

__version__ = "0.1.0"
