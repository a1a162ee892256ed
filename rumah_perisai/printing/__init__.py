"""Documents the post prints, made with ReportLab: membership cards (more to come)."""
