"""Content packages: a course as a folder of YAML and Markdown (see docs/content-format.md).

``files`` turns a folder or a zip into a mapping of safe relative paths to bytes (with limits),
``reader`` validates that mapping completely into a ``CoursePackage``, ``importer`` writes it to
the database, ``exporter`` and ``writer`` turn a course back into the same files.
"""
