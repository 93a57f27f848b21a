"""The reading layer: warehouse connection, queries, figures, formatting, labels, status.

Shared by the dashboard and the briefing; imports neither.
"""
