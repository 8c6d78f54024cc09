"""Targets (目标): each evaluated against its deadline from the warehouse's values, with a projected trend."""
