import os

from chalice import Chalice

app = Chalice(app_name=<%- py(appName) %>)


@app.route('/')
def index():
    return {'hello': 'world'}


@app.route('/health')
def health():
    # STAGE is set per stage in .chalice/config.json; the integration tests check it.
    return {'status': 'ok', 'stage': os.environ.get('STAGE', 'local')}
