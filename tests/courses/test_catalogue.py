"""The catalogue and course detail: visibility, search, filters, order, language, ETags, queries."""

from __future__ import annotations

import pytest

from elearn.accounts.models import Role


@pytest.fixture
def people(make):
    make.administration("AZ")
    make.administration("GE")
    return {
        "trainee_az": make.user(Role.TRAINEE, administration="AZ"),
        "trainee_ge": make.user(Role.TRAINEE, administration="GE"),
        "staff": make.user(Role.TRAINEE, administration=None),
        "owner": make.user(Role.TRAINER, administration=None),
        "other_trainer": make.user(Role.TRAINER, administration=None),
        "admin": make.user(Role.ADMIN, administration=None),
    }


def listed(client, person, query=""):
    response = client.get(f"/api/v1/courses{query}", headers=person.headers)
    assert response.status_code == 200, response.json
    return response


def ids(response):
    return [course["id"] for course in response.json]


def test_each_caller_sees_the_courses_open_to_them(client, courses, people):
    owner = people["owner"]
    open_course = courses.build(title="Open")
    for_ge = courses.build(title="For GE", administrations=["GE"])
    draft = courses.build(title="Draft", status="draft", owners=[owner])
    archived = courses.build(title="Archived", status="archived", owners=[owner])
    others_draft = courses.build(title="Others", status="draft")

    assert ids(listed(client, people["trainee_az"])) == [open_course.id]
    assert ids(listed(client, people["trainee_ge"])) == [for_ge.id, open_course.id]
    assert ids(listed(client, people["staff"])) == [open_course.id]
    assert ids(listed(client, owner)) == [archived.id, draft.id, open_course.id]
    assert ids(listed(client, people["other_trainer"])) == [open_course.id]
    assert sorted(ids(listed(client, people["admin"]))) == sorted(
        [open_course.id, for_ge.id, draft.id, archived.id, others_draft.id]
    )
    assert ids(listed(client, owner, "?owned=true&status=draft")) == [draft.id]


def test_hidden_courses_do_not_exist_for_the_caller(client, courses, people):
    for_ge = courses.build(administrations=["GE"])
    draft = courses.build(status="draft", owners=[people["owner"]])

    for path in (f"/api/v1/courses/{for_ge.id}", f"/api/v1/courses/{draft.id}"):
        response = client.get(path, headers=people["trainee_az"].headers)
        assert response.status_code == 404
        assert response.json["detail"] == "No such course."
    assert (
        client.get(f"/api/v1/courses/{for_ge.id}", headers=people["trainee_ge"].headers).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/courses/{draft.id}", headers=people["owner"].headers).status_code
        == 200
    )
    lesson = f"/api/v1/courses/{draft.id}/lessons/{draft.lesson_ids[0][0]}"
    assert client.get(lesson, headers=people["trainee_az"].headers).status_code == 404


def test_search_covers_titles_and_summaries_in_every_language(client, courses, people):
    valuation = courses.build(title="Customs valuation", languages=["en", "ru"])
    origin = courses.build(title="Rules of origin", summary="Preferential origin")
    courses.build(title="Something else")
    trainee = people["trainee_az"]

    assert ids(listed(client, trainee, "?q=VALUATION")) == [valuation.id]
    assert ids(listed(client, trainee, "?q=preferential")) == [origin.id]
    assert ids(listed(client, trainee, "?q=КУРС")) == [valuation.id]
    assert ids(listed(client, trainee, "?q=%25")) == []
    assert ids(listed(client, trainee, "?q=_")) == []


def test_filters_by_language_topic_and_administration(client, courses, people):
    russian = courses.build(languages=["en", "ru"], topics=["valuation"])
    for_az = courses.build(administrations=["AZ"], topics=["origin"])
    for_ge = courses.build(administrations=["GE"], topics=["origin"])
    admin = people["admin"]

    assert ids(listed(client, admin, "?language=ru")) == [russian.id]
    assert sorted(ids(listed(client, admin, "?topic=origin"))) == [for_az.id, for_ge.id]
    assert sorted(ids(listed(client, admin, "?administration=az"))) == [russian.id, for_az.id]
    assert ids(listed(client, people["trainee_az"], "?administration=GE")) == [russian.id]
    unknown = client.get("/api/v1/courses?administration=ZZ", headers=admin.headers)
    assert unknown.status_code == 422
    assert client.get("/api/v1/courses?lang=de", headers=admin.headers).status_code == 422


def test_order_is_by_title_in_the_chosen_language_then_id(client, courses, people):
    b = courses.build(title="Bravo", code="C-3")
    a = courses.build(title="alpha", code="C-2")
    a_again = courses.build(title="Alpha", code="C-1")
    russian = courses.build(title="Zulu", languages=["en", "ru"], code="C-4")
    trainee = people["trainee_az"]

    assert ids(listed(client, trainee)) == [a.id, a_again.id, b.id, russian.id]
    assert ids(listed(client, trainee, "?sort=-title")) == [russian.id, b.id, a_again.id, a.id]
    assert ids(listed(client, trainee, "?sort=code")) == [a_again.id, a.id, b.id, russian.id]
    assert ids(listed(client, trainee, "?sort=newest")) == [russian.id, a_again.id, a.id, b.id]
    # In Russian the bilingual course shows its Russian title, which sorts after Latin ones.
    assert ids(listed(client, trainee, "?lang=ru")) == [a.id, a_again.id, b.id, russian.id]


def test_pages_are_stable_with_total_and_links(client, courses, people):
    built = [courses.build(title="Same title") for _ in range(5)]
    trainee = people["trainee_az"]

    first = listed(client, trainee, "?per_page=2")
    last = listed(client, trainee, "?per_page=2&page=3")

    assert first.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in first.headers["Link"]
    assert ids(first) + ids(listed(client, trainee, "?per_page=2&page=2")) + ids(last) == [
        course.id for course in built
    ]
    assert 'rel="next"' not in last.headers["Link"]


def test_language_is_chosen_per_course_and_reported(client, courses, people):
    bilingual = courses.build(title="Valuation", languages=["en", "ru"])
    english = courses.build(title="English only")
    trainee = people["trainee_az"]

    cards = {c["id"]: c for c in listed(client, trainee, "?lang=ru").json}
    by_header = client.get(
        f"/api/v1/courses/{bilingual.id}",
        headers={**trainee.headers, "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"},
    )
    fallback = client.get(f"/api/v1/courses/{english.id}?lang=ru", headers=trainee.headers)

    assert cards[bilingual.id]["language"] == "ru"
    assert cards[bilingual.id]["title"].startswith("Курс ")
    assert cards[english.id]["language"] == "en"
    assert (by_header.json["language"], by_header.headers["Content-Language"]) == ("ru", "ru")
    assert by_header.json["modules"][0]["title"] == "Module 1 (ru)"
    assert "Accept-Language" in by_header.headers["Vary"]
    assert (fallback.json["language"], fallback.headers["Content-Language"]) == ("en", "en")
    assert fallback.json["title"] == "English only"


def test_without_lang_or_header_the_callers_profile_language_answers(client, courses, people):
    bilingual = courses.build(title="Valuation", languages=["en", "ru"])
    trainee = people["trainee_az"]
    profile = client.patch("/api/v1/me", json={"language": "ru"}, headers=trainee.headers)
    assert profile.status_code == 200

    card = listed(client, trainee).json[0]
    detail = client.get(f"/api/v1/courses/{bilingual.id}", headers=trainee.headers)
    lesson = client.get(
        f"/api/v1/courses/{bilingual.id}/lessons/{bilingual.lesson_ids[0][0]}",
        headers=trainee.headers,
    )
    by_header = client.get(
        f"/api/v1/courses/{bilingual.id}", headers={**trainee.headers, "Accept-Language": "en"}
    )
    by_query = client.get(f"/api/v1/courses/{bilingual.id}?lang=en", headers=trainee.headers)

    assert (card["language"], detail.json["language"], lesson.json["language"]) == ("ru",) * 3
    assert detail.headers["Content-Language"] == "ru"
    assert (by_header.json["language"], by_query.json["language"]) == ("en", "en")


def test_search_matches_course_codes(client, courses, people):
    valuation = courses.build(title="Transaction value", code="VAL-101")
    courses.build(title="Origin", code="ORI-201")

    assert ids(listed(client, people["trainee_az"], "?q=VAL-101")) == [valuation.id]
    assert ids(listed(client, people["trainee_az"], "?q=val-1")) == [valuation.id]


def test_etag_answers_304_and_changes_with_content_language_and_visibility(client, courses, people):
    owner, trainee = people["owner"], people["trainee_az"]
    course = courses.build(owners=[owner], languages=["en", "ru"])
    detail = f"/api/v1/courses/{course.id}"

    def etag(path, person, **headers):
        response = client.get(path, headers={**person.headers, **headers})
        assert response.status_code == 200
        return response.headers["ETag"]

    catalogue_tag, detail_tag = etag("/api/v1/courses", trainee), etag(detail, trainee)
    assert (
        client.get(detail, headers={**trainee.headers, "If-None-Match": detail_tag}).status_code
        == 304
    )
    unchanged = client.get(
        "/api/v1/courses", headers={**trainee.headers, "If-None-Match": catalogue_tag}
    )
    assert (unchanged.status_code, unchanged.get_data()) == (304, b"")

    assert etag(detail, trainee, **{"Accept-Language": "ru"}) != detail_tag
    assert etag(detail, owner) != detail_tag
    client.patch(detail, json={"translations": {"en": {"title": "Renamed"}}}, headers=owner.headers)
    assert etag(detail, trainee) != detail_tag
    assert etag("/api/v1/courses", trainee) != catalogue_tag

    renamed_tag = etag("/api/v1/courses", trainee)
    courses.build(title="Another")
    assert etag("/api/v1/courses", trainee) != renamed_tag
    client.post(f"{detail}/unpublish", json={}, headers=owner.headers)
    assert (
        client.get(detail, headers={**trainee.headers, "If-None-Match": detail_tag}).status_code
        == 404
    )


def test_catalogue_queries_do_not_grow_with_the_number_of_courses(client, courses, people, queries):
    trainee = people["trainee_az"]
    listed(client, trainee)  # the token's first use is recorded once; not part of the count

    def count_queries():
        queries.reset()
        listed(client, trainee, "?per_page=50&q=course")
        return queries.count

    for _ in range(2):
        courses.build(languages=["en", "ru", "fr"], topics=["a", "b"], administrations=["AZ"])
    few = count_queries()
    for _ in range(10):
        courses.build(languages=["en", "ru", "fr"], topics=["a", "b"], administrations=["AZ"])
    assert count_queries() == few
    assert few <= 8


@pytest.mark.parametrize("path", ["/api/v1/courses/{id}", "/api/v1/courses/{id}/modules"])
def test_detail_and_outline_queries_do_not_grow_with_modules_and_lessons(
    client, courses, people, queries, path
):
    owner = people["owner"]
    listed(client, owner)
    small = courses.build(owners=[owner], languages=["en", "ru"], modules=1, lessons=1)
    large = courses.build(owners=[owner], languages=["en", "ru"], modules=5, lessons=6)

    def count_queries(course):
        queries.reset()
        response = client.get(path.format(id=course.id), headers=owner.headers)
        assert response.status_code == 200
        return queries.count

    assert count_queries(large) == count_queries(small)
    assert count_queries(small) <= 12


def test_cached_pages_follow_every_change_to_texts_topics_and_restrictions(
    client, make, courses, people
):
    owner, trainee = people["owner"], people["trainee_az"]
    course = courses.build(owners=[owner], languages=["en", "ru"], topics=["origin"])
    detail = f"/api/v1/courses/{course.id}"

    def russian_titles():
        return [c["title"] for c in listed(client, trainee, "?lang=ru").json]

    before = russian_titles()
    client.patch(
        detail, json={"translations": {"ru": {"title": "Новое название"}}}, headers=owner.headers
    )
    assert russian_titles() == ["Новое название"] != before

    assert ids(listed(client, trainee, "?topic=origin")) == [course.id]
    client.patch(detail, json={"topics": ["valuation"]}, headers=owner.headers)
    assert ids(listed(client, trainee, "?topic=origin")) == []

    client.patch(detail, json={"administrations": ["GE"]}, headers=owner.headers)
    assert ids(listed(client, trainee)) == []
    assert ids(listed(client, people["trainee_ge"])) == [course.id]


def test_cached_pages_follow_the_callers_own_visibility(client, make, courses, people):
    owner, colleague = people["owner"], people["other_trainer"]
    draft = courses.build(owners=[owner], status="draft")
    assert ids(listed(client, colleague)) == []

    client.post(
        f"/api/v1/courses/{draft.id}/owners", json={"user_id": colleague.id}, headers=owner.headers
    )

    assert ids(listed(client, colleague)) == [draft.id]
    assert ids(listed(client, colleague, "?owned=true")) == [draft.id]
    assert ids(listed(client, people["admin"], "?owned=true")) == []


def test_a_trainee_moved_to_another_administration_sees_its_courses(client, courses, people):
    for_ge = courses.build(administrations=["GE"])
    trainee, admin = people["trainee_az"], people["admin"]
    assert ids(listed(client, trainee)) == []

    moved = client.patch(
        f"/api/v1/users/{trainee.id}", json={"administration": "GE"}, headers=admin.headers
    )

    assert moved.status_code == 200
    assert ids(listed(client, trainee)) == [for_ge.id]
