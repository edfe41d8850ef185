"""Day 05 · REST design: an in-memory bookshelf API with honest status codes and one error shape."""
