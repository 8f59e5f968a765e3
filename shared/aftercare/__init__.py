"""After the day: the plan page, statuses, signals, meetings made from a plan, publication."""
