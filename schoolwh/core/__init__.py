"""The core: the contract of sources, settings, the audit schema and the calendar.

Imports no other package of ours; everything else may import it.
"""
