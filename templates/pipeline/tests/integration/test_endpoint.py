"""Integration tests: real HTTP requests to the deployed API (standard library only)."""
<% if (generatedRoutes) { -%>
import json
<% } -%>
import urllib.error
import urllib.request


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


<% if (generatedRoutes) { -%>
def test_index_says_hello(endpoint_url):
    status, body = get(endpoint_url + '/')
    assert status == 200
    assert json.loads(body) == {'hello': 'world'}


def test_health_reports_the_stage(endpoint_url, expected_stage):
    status, body = get(endpoint_url + '/health')
    assert status == 200
    assert json.loads(body) == {'status': 'ok', 'stage': expected_stage}
<% } else { -%>
def test_endpoint_answers(endpoint_url):
    # A smoke test for an existing app: the API is up and does not fail. Add tests of your routes here.
    status, body = get(endpoint_url + '/')
    assert status < 500, body
<% } -%>
