"""Day 10: testing and finishing an API — the RealWorld Postman collection against the Blog API."""
