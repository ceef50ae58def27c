"""Quizzes: trainers edit questions and settings, trainees take attempts graded on the server."""
