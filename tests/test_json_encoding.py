from datetime import UTC, datetime
from decimal import Decimal

from flask import jsonify

from elearn.json_encoding import encode


def test_documents_are_those_of_flasks_own_provider_in_utf_8(app):
    value = {"b": [1, 2.5], "a": "Таможня", 3: None, "when": datetime(2026, 1, 2, tzinfo=UTC)}
    with app.app_context():
        response = jsonify(value)
    assert response.mimetype == "application/json"
    assert (
        response.get_data()
        == (
            '{"3":null,"a":"Таможня","b":[1,2.5],"when":"Fri, 02 Jan 2026 00:00:00 GMT"}\n'
        ).encode()
    )
    assert response.get_json() == {
        "3": None,
        "a": "Таможня",
        "b": [1, 2.5],
        "when": "Fri, 02 Jan 2026 00:00:00 GMT",
    }


def test_decimals_become_strings():
    assert encode({"grade": Decimal("9.50")}) == b'{"grade":"9.50"}\n'


def test_integers_beyond_64_bits_are_written_too():
    assert (
        encode({"id": 10**30, "name": "Баку"})
        == '{"id":1000000000000000000000000000000,"name":"Баку"}\n'.encode()
    )
