"""Workflow has no tables of its own: a case's stage and history live in ``cases``,
legal periods in ``permits``, and the public holidays that working-day deadlines skip
come from the ``holidays`` library (see ``workflow.dates``)."""
