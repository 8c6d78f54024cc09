"""Scoring (评分): schemes, points per indicator, totals, ranks and grades within peer groups, and the gap."""
