"""The facilitator's side: console, beamer, meeting preparation (the management side)."""
