"""scoring stage."""


def clear_text_caches() -> None:
    """Forget every cache keyed by answer text (stemmed terms, plain words, keyword hits, case fit),
    so that the next grading reads its answer as a process that never saw it would (`make bench`).
    Reports never depend on these caches; a cache keyed by text belongs on this list."""
    from grader.scoring import judge, overlap, probes
    from grader.text import plain_words

    for cached in (
        overlap.terms,
        judge._spans,
        probes._elsewhere,
        plain_words,
    ):
        cached.cache_clear()
