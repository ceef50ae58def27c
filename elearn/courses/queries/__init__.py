"""Read models of courses: the catalogue, one course with its outline, one lesson."""
