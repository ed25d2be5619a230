"""Language: normalisation for matching, language identification, lexicons and lexicon matching."""
