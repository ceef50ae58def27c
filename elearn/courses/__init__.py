"""Courses: translations, modules, lessons and the catalogue."""
