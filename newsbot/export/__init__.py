"""Writing records: durable JSONL (and, later, Jekyll posts)."""
