"""The Textual app: a thin layer over ForumService (see nereader/core)."""
