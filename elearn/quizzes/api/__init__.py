"""HTTP endpoints of the quizzes domain: editing quizzes, and taking them."""

from elearn.quizzes.api.attempts import attempts_blp
from elearn.quizzes.api.authoring import quizzes_blp

BLUEPRINTS = (quizzes_blp, attempts_blp)
