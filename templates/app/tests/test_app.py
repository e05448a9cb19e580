from chalice.test import Client

from app import app


def test_index_says_hello():
    with Client(app) as client:
        response = client.http.get('/')
        assert response.status_code == 200
        assert response.json_body == {'hello': 'world'}


def test_health_reports_ok():
    with Client(app) as client:
        response = client.http.get('/health')
        assert response.status_code == 200
        assert response.json_body['status'] == 'ok'


def test_unknown_route_is_not_found():
    with Client(app) as client:
        response = client.http.get('/no-such-route')
        assert response.status_code in (403, 404)
