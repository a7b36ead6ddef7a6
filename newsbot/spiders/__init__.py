"""Spiders: one generic class per page flow; feeds.yaml makes one spider per feed."""
