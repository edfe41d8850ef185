"""Day 38: conversation memory — recent turns verbatim, older ones summarised, Redis as a cache."""
