"""Policy and jurisdictions: harm taxonomy, country profiles, deadline clocks, DSA statements of reasons."""
