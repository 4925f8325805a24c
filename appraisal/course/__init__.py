"""Course kit: self-check questions for the pages, student/instructor notebooks (see README)."""
