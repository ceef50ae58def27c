"""Courses: translations, modules, lessons, the catalogue and content packages."""
