"""HTTP endpoints of the courses domain, one blueprint per concern."""

from elearn.courses.api.courses import courses_blp
from elearn.courses.api.outline import outline_blp

BLUEPRINTS = (courses_blp, outline_blp)
