"""Operations on courses: authoring, the outline, completeness for publishing."""
