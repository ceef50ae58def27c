"""Media assets: presigned uploads checked on completion, downloads behind a policy check, and
the media files of content packages."""
