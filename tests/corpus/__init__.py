"""Corpus of broken inputs for lifecircle (see make_corpus.py and cases.py)."""
