"""Day 37: pgvector — HNSW on PostgreSQL, recall@10 and latency against exact search."""
