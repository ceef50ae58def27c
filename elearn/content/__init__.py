"""Content packages: a course as a folder of YAML and Markdown (see docs/content-format.md).

A domain above courses, media and quizzes that calls their services. ``files`` turns a folder or
a zip into a mapping of safe relative paths to bytes (with limits), ``reader`` validates that
mapping completely into a ``CoursePackage`` (quiz files through ``elearn.quizzes.format``),
``service.importing`` writes it to the database and storage, ``service.exporting`` and ``writer``
turn a course back into the same files; ``api`` and ``cli`` are the endpoints and the
``elearn content`` commands.
"""
