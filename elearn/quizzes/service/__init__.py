"""Operations on quizzes: authoring, attempts, grading, review and statistics."""
