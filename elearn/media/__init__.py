"""Media assets: presigned uploads checked on completion, downloads behind a policy check, and
lesson media stored and read in bulk for content packages."""
