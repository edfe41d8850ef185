"""Day 03: errors, context managers, logging and packages, in an all-or-nothing CSV importer."""
