"""Risk: a living risk register per harm × country (DSA art. 34 systemic-risk areas, 5 × 5 ratings
with reasons, owners, mitigations, a residual rating), its indicators read from the analytics
warehouse, versioned assessments reviewed by policy and legal and then approved, the flag that asks
for a re-assessment when indicators move, and the annual systemic-risk report.

The public surface: the composition (app, CLI, demo) reaches the domain through what is exported
here. Loading the domains (``domains.load``) registers the ``risk.flags`` worker job.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
