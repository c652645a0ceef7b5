"""Clocks: the deadline calculator, "Mes échéances" and their iCalendar feed."""
