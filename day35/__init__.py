"""Day 35: chunking — splitting notes, overlap, metadata and re-indexing on edit."""
