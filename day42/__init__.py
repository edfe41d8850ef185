"""Day 42: data structures and algorithms II — stacks, queues, trees, graphs, heaps, LRU."""
