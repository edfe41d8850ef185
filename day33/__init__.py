"""Day 33: embeddings — what they are, cosine similarity, local vs hosted models."""
