"""Day 02 · OOP revision: an inventory ledger built from value objects, dunders and protocols."""
