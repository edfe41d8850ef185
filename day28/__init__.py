"""Day 28: streaming — a model's answer relayed as Server-Sent Events from Flask."""
