"""practice stage."""
