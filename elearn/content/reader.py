"""Checking a whole package before anything is written: ``course.yaml``, lessons, quizzes, media.

``read_package`` reports every problem at once, each naming its file and field
(``quizzes/final.yaml: questions[2].options: …``); a package with any problem is refused whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from elearn import filetypes
from elearn.content.files import path_problem
from elearn.content.package import (
    CoursePackage,
    CourseTexts,
    LessonFile,
    LessonSpec,
    ModuleSpec,
    QuizFile,
)
from elearn.courses import rules
from elearn.courses.models import LessonKind, LessonRule, QuizRule
from elearn.formats.fields import Fields, at
from elearn.formats.problems import Problems
from elearn.formats.source import decode_text, parse_yaml, split_front_matter
from elearn.quizzes.format import read_quiz

COURSE_FILE = "course.yaml"
COURSE_REQUIRED = (
    "format",
    "slug",
    "code",
    "default_language",
    "languages",
    "translations",
    "modules",
)
COURSE_OPTIONAL = (
    "topics",
    "estimated_minutes",
    "pass_mark",
    "due_days",
    "reminder_offsets_days",
    "idle_after_days",
    "administrations",
    "completion",
)
LESSON_REQUIRED = ("key", "kind", "file")
LESSON_OPTIONAL = ("required", "minutes", "url", "media", "quiz")
MEDIA_KINDS = (LessonKind.VIDEO, LessonKind.DOCUMENT)


def read_package(files: Mapping[str, bytes], content_languages: Sequence[str]) -> CoursePackage:
    """The checked package; 422 listing every problem (file and field) when there is any."""
    problems = Problems()
    package = _read_course(files, content_languages, problems)
    problems.raise_if_any()
    assert package is not None
    return package


def _read_course(
    files: Mapping[str, bytes], content_languages: Sequence[str], problems: Problems
) -> CoursePackage | None:
    if COURSE_FILE not in files:
        problems.add(COURSE_FILE, "", "Missing: a package has a course.yaml at its root.")
        return None
    text = decode_text(files[COURSE_FILE], COURSE_FILE, problems)
    document = parse_yaml(text, COURSE_FILE, problems) if text is not None else None
    fields = Fields(problems, COURSE_FILE)
    if problems:
        return None
    course = fields.mapping(document, "", required=COURSE_REQUIRED, optional=COURSE_OPTIONAL)
    if course is None:
        return None
    if "format" in course and course["format"] != 1:
        fields.report("format", "Only format 1 is supported.")
    languages = _languages(fields, course.get("languages"), content_languages)
    if "default_language" in course and course["default_language"] not in languages:
        fields.report("default_language", "Must be one of the package's languages.")
    reader = _CourseReader(files, problems, fields, languages, course)
    package = reader.package()
    return None if problems else package


def _languages(fields: Fields, value: Any, content_languages: Sequence[str]) -> tuple[str, ...]:
    languages: list[str] = []
    for number, language in enumerate(fields.items(value, "languages", min_items=1)):
        if language not in content_languages:
            fields.report(
                f"languages[{number}]", f"Expected one of: {', '.join(content_languages)}."
            )
        elif language in languages:
            fields.report(f"languages[{number}]", f"{language} is listed twice.")
        else:
            languages.append(language)
    return tuple(languages)


@dataclass
class _CourseReader:
    files: Mapping[str, bytes]
    problems: Problems
    fields: Fields
    languages: tuple[str, ...]
    course: dict[str, Any]

    def package(self) -> CoursePackage | None:
        course, fields = self.course, self.fields
        pass_mark = self._optional_int("pass_mark", 70, 0, 100)
        due_days = self._optional_int("due_days", None, 1, 3650)
        completion = fields.mapping(
            course.get("completion", {}), "completion", optional=("lessons", "quizzes")
        )
        completion = completion or {}
        modules = [
            self._module(raw, f"modules[{number}]", pass_mark or 0)
            for number, raw in enumerate(fields.items(course.get("modules"), "modules"))
        ]
        fields.unique_keys(
            (
                (f"modules[{n}].key", module.key if module else None)
                for n, module in enumerate(modules)
            ),
            "module",
        )
        fields.unique_keys(
            (
                (f"modules[{m}].lessons[{n}].key", lesson.key)
                for m, module in enumerate(modules)
                if module is not None
                for n, lesson in enumerate(module.lessons)
            ),
            "lesson",
        )
        values: dict[str, Any] = {
            "slug": fields.key(course.get("slug"), "slug"),
            "code": fields.text(course.get("code"), "code", max_length=rules.CODE_MAX),
            "default_language": course.get("default_language"),
            "languages": self.languages,
            "translations": self._translations(),
            "modules": tuple(module for module in modules if module is not None),
            "topics": self._topics(),
            "estimated_minutes": self._optional_int("estimated_minutes", 0, 0, 100_000),
            "pass_mark": pass_mark,
            "due_days": due_days,
            "reminder_offsets_days": self._reminder_offsets(due_days),
            "idle_after_days": self._optional_int(
                "idle_after_days", rules.IDLE_AFTER_DAYS_DEFAULT, 1, rules.IDLE_AFTER_DAYS_MAX
            ),
            "administrations": self._administrations(),
            "completion_lessons": fields.choice(
                completion.get("lessons", LessonRule.REQUIRED),
                "completion.lessons",
                list(LessonRule),
            ),
            "completion_quizzes": fields.choice(
                completion.get("quizzes", QuizRule.REQUIRED), "completion.quizzes", list(QuizRule)
            ),
        }
        return None if self.problems else CoursePackage(**values)

    def _reminder_offsets(self, due_days: int | None) -> tuple[int, ...]:
        offsets = self.fields.items(
            self.course.get("reminder_offsets_days", list(rules.REMINDER_OFFSETS_DEFAULT)),
            "reminder_offsets_days",
        )
        for problem in rules.reminder_offset_problems(offsets, due_days):
            self.fields.report("reminder_offsets_days", problem)
        return tuple(offsets)

    def _optional_int(self, name: str, default: int | None, low: int, high: int) -> int | None:
        if name not in self.course:
            return default
        return self.fields.integer(self.course[name], name, minimum=low, maximum=high)

    def _topics(self) -> tuple[str, ...]:
        topics = self.fields.items(self.course.get("topics", []), "topics")
        for number, topic in enumerate(topics):
            if not rules.is_topic(topic):
                self.fields.report(f"topics[{number}]", f"Topics are {rules.TOPIC_RULE}.")
        return tuple(sorted(set(topics))) if all(rules.is_topic(t) for t in topics) else ()

    def _administrations(self) -> tuple[str, ...]:
        codes = self.fields.items(self.course.get("administrations", []), "administrations")
        for number, code in enumerate(codes):
            if not (isinstance(code, str) and len(code) == 2 and code.isalpha()):
                self.fields.report(
                    f"administrations[{number}]", "Expected an ISO 3166-1 alpha-2 code."
                )
        return tuple(sorted({str(code).upper() for code in codes}))

    def _translations(self) -> dict[str, CourseTexts]:
        value = self.fields.mapping(
            self.course.get("translations"), "translations", required=self.languages
        )
        texts: dict[str, CourseTexts] = {}
        for language, raw in (value or {}).items():
            where = at("translations", str(language))
            if language not in self.languages:
                self.fields.report(where, "Not one of the package's languages.")
                continue
            text = self.fields.mapping(
                raw, where, required=("title",), optional=("summary", "objectives")
            )
            if text is None:
                continue
            title = self.fields.text(
                text.get("title"), at(where, "title"), max_length=rules.TITLE_MAX
            )
            summary = self.fields.text(
                text.get("summary", ""),
                at(where, "summary"),
                max_length=rules.SUMMARY_MAX,
                blank=True,
            )
            objectives = [
                self.fields.text(
                    item, f"{at(where, 'objectives')}[{n}]", max_length=rules.OBJECTIVE_MAX
                )
                for n, item in enumerate(
                    self.fields.items(text.get("objectives", []), at(where, "objectives"))
                )
            ]
            if title is not None and summary is not None:
                texts[language] = CourseTexts(
                    title, summary, tuple(o for o in objectives if o is not None)
                )
        return texts

    def _module(self, raw: Any, where: str, pass_mark: int) -> ModuleSpec | None:
        module = self.fields.mapping(raw, where, required=("key", "titles", "lessons"))
        if module is None:
            return None
        key = self.fields.key(module.get("key"), at(where, "key"))
        titles = self.fields.per_language(
            module.get("titles"), at(where, "titles"), self.languages, max_length=rules.TITLE_MAX
        )
        lessons = [
            self._lesson(raw_lesson, f"{at(where, 'lessons')}[{number}]", pass_mark)
            for number, raw_lesson in enumerate(
                self.fields.items(module.get("lessons"), at(where, "lessons"))
            )
        ]
        if key is None or titles is None or None in lessons:
            return None
        return ModuleSpec(key, titles, tuple(lesson for lesson in lessons if lesson is not None))

    def _lesson(self, raw: Any, where: str, pass_mark: int) -> LessonSpec | None:
        fields = self.fields
        lesson = fields.mapping(raw, where, required=LESSON_REQUIRED, optional=LESSON_OPTIONAL)
        if lesson is None:
            return None
        key = fields.key(lesson.get("key"), at(where, "key"))
        kind = fields.choice(lesson.get("kind"), at(where, "kind"), list(LessonKind))
        file = self._markdown_name(lesson.get("file"), at(where, "file"))
        required = fields.boolean(lesson.get("required", True), at(where, "required"))
        minutes = (
            fields.integer(lesson["minutes"], at(where, "minutes"), minimum=0, maximum=10_000)
            if "minutes" in lesson
            else None
        )
        url = self._url(lesson, kind, where)
        media = self._media(lesson, kind, where)
        quiz = self._quiz(lesson, kind, where, pass_mark)
        texts = self._lesson_texts(file, key, where) if file is not None else {}
        if None in (key, kind, file, required) or len(texts) != len(self.languages):
            return None
        assert key is not None
        assert kind is not None
        assert file is not None
        return LessonSpec(
            key=key,
            kind=kind,
            file=file,
            texts=texts,
            required=bool(required),
            minutes=minutes,
            url=url,
            media=media,
            quiz=quiz,
        )

    def _markdown_name(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str) or not value.endswith(".md"):
            self.fields.report(where, "Expected the name of a .md file.")
            return None
        problem = path_problem(value)
        if problem is not None:
            self.fields.report(where, problem)
            return None
        return value

    def _url(self, lesson: dict[str, Any], kind: str | None, where: str) -> str | None:
        if kind != LessonKind.LINK:
            if "url" in lesson:
                self.fields.report(at(where, "url"), "Only link lessons have a url.")
            return None
        if not rules.is_web_url(lesson.get("url")):
            self.fields.report(at(where, "url"), "A link lesson needs an http(s) URL.")
            return None
        return str(lesson["url"])

    def _media(self, lesson: dict[str, Any], kind: str | None, where: str) -> dict[str, str]:
        if "media" not in lesson:
            return {}
        place = at(where, "media")
        if kind not in MEDIA_KINDS:
            self.fields.report(place, "Only video and document lessons have media.")
            return {}
        value = lesson["media"]
        if isinstance(value, str):
            paths = dict.fromkeys(self.languages, value)
        else:
            paths = self.fields.per_language(value, place, self.languages, max_length=500) or {}
        for language, path in paths.items():
            self._check_media(path, place if isinstance(value, str) else at(place, language))
        return paths

    def _check_media(self, path: str, where: str) -> None:
        problem = path_problem(path) or (
            None if path in self.files else "No such file in the package."
        )
        if problem is None:
            problem = filetypes.file_problem(path, self.files[path])
        if problem is not None:
            self.fields.report(where, f"{path}: {problem}")

    def _quiz(
        self, lesson: dict[str, Any], kind: str | None, where: str, pass_mark: int
    ) -> QuizFile | None:
        place = at(where, "quiz")
        if kind != LessonKind.QUIZ:
            if "quiz" in lesson:
                self.fields.report(place, "Only quiz lessons have a quiz.")
            return None
        path = lesson.get("quiz")
        if not isinstance(path, str) or not path.endswith((".yaml", ".yml")):
            self.fields.report(place, "A quiz lesson names its quiz file (quizzes/….yaml).")
            return None
        problem = path_problem(path) or (
            None if path in self.files else "No such file in the package."
        )
        if problem is not None:
            self.fields.report(place, f"{path}: {problem}")
            return None
        text = decode_text(self.files[path], path, self.problems)
        if text is None:
            return None
        definition = read_quiz(path, text, self.languages, pass_mark, self.problems)
        return QuizFile(path, text, definition) if definition is not None else None

    def _lesson_texts(self, file: str, key: str | None, where: str) -> dict[str, LessonFile]:
        texts = {}
        for language in self.languages:
            path = f"{language}/{file}"
            if path not in self.files:
                self.problems.add(
                    path, "", f"Missing: the {language} text of lesson {key!r} ({where}.file)."
                )
                continue
            text = decode_text(self.files[path], path, self.problems)
            front = split_front_matter(text, path, self.problems) if text is not None else None
            if front is None:
                continue
            fields = Fields(self.problems, path)
            header = fields.mapping(front.fields, "front matter", required=("title",))
            title = (
                fields.text(header.get("title"), "title", max_length=rules.TITLE_MAX)
                if header
                else None
            )
            if len(front.body) > rules.BODY_MAX:
                fields.report("body", f"At most {rules.BODY_MAX} characters.")
            elif title is not None:
                texts[language] = LessonFile(title, front.body)
        return texts
