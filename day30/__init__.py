"""Day 30: tokens and cost — a context budgeter with cost estimates."""
