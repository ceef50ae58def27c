"""A certificate for people: the PDF and the public verification page, in en, ru and fr."""
