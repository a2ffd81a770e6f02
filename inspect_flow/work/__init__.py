"""A person's own work across every plan: their visits today and coming, and what waits for them."""
