"""Day 43 · API styles: a GraphQL endpoint over the Blog API's data, next to its REST API."""
