"""Services: functions that take a Session, change the catalog, record the change and flush.

Views and CLI commands own the commit, so a form save or an import is all-or-nothing.
"""
