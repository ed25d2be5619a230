"""Test factories, one module per domain, each a set of pytest fixtures (``make_user``,
``make_incident``…). They create through the domains' real services and commit, as a user would.
Every module here is registered in ``tests/conftest.py`` (``pytest_plugins``)."""
