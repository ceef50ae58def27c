"""Reading certificates: one's own list (a fixed number of queries), and one certificate."""

from __future__ import annotations


def count_queries(client, queries, path: str, person) -> int:
    queries.reset()
    response = client.get(path, headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return queries.count


def test_my_certificates_take_the_same_queries_for_one_or_many(client, graduation, queries):
    trainee = graduation.trainee()
    graduation.graduate(trainee)
    one = count_queries(client, queries, "/api/v1/me/certificates", trainee)

    for _ in range(5):
        graduation.graduate(trainee)

    assert count_queries(client, queries, "/api/v1/me/certificates", trainee) == one
    listed = client.get("/api/v1/me/certificates?per_page=4", headers=trainee.headers)
    assert listed.headers["X-Total-Count"] == "6"
    assert len(listed.json) == 4
    assert 'rel="next"' in listed.headers["Link"]


def test_my_certificates_are_mine_only_newest_first(client, graduation):
    trainee = graduation.trainee()
    first = graduation.graduate(trainee)
    second = graduation.graduate(trainee)
    graduation.graduate()

    listed = client.get("/api/v1/me/certificates", headers=trainee.headers).json

    assert [item["public_id"] for item in listed] == [second.public_id, first.public_id]


def test_a_certificate_not_ones_own_does_not_exist_for_a_trainee(client, graduation):
    graduate = graduation.graduate()
    stranger = graduation.trainee()

    for suffix in ("", "/pdf", "/credential"):
        response = client.get(
            f"/api/v1/certificates/{graduate.public_id}{suffix}", headers=stranger.headers
        )
        assert response.status_code == 404
        assert response.json["detail"] == "No such certificate."


def test_a_malformed_or_unknown_public_id_is_not_found(client, graduation):
    trainee = graduation.trainee()

    for public_id in ("x", "A" * 22, "../etc"):
        response = client.get(f"/api/v1/certificates/{public_id}", headers=trainee.headers)
        assert response.status_code == 404
