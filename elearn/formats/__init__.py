"""The checking helpers of the project's file formats (content packages, quiz files).

Below every domain: ``problems`` collects located problems, ``source`` decodes text and YAML,
``fields`` reads typed values out of parsed YAML. The formats themselves live with their owners:
``elearn.content`` (packages) and ``elearn.quizzes.format`` (quiz files).
"""
