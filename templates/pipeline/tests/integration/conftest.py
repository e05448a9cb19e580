"""Finds the endpoint the integration tests call.

In the pipeline, the beta deploy writes StackOutputs.json into the AppDeploymentValues artifact, which
CodeBuild unpacks at $CODEBUILD_SRC_DIR_AppDeploymentValues. Locally, set ENDPOINT_URL (`make integration-test`).
"""
import json
import os
import pathlib

import pytest


def endpoint_from_stack_outputs():
    folder = os.environ.get('CODEBUILD_SRC_DIR_AppDeploymentValues')
    if not folder:
        return None
    outputs = json.loads(pathlib.Path(folder, 'StackOutputs.json').read_text())
    return outputs['EndpointURL']


@pytest.fixture(scope='session')
def endpoint_url():
    url = os.environ.get('ENDPOINT_URL') or endpoint_from_stack_outputs()
    if not url:
        if os.environ.get('CODEBUILD_BUILD_ID'):
            pytest.fail('no endpoint: neither ENDPOINT_URL nor the AppDeploymentValues artifact is set')
        pytest.skip('set ENDPOINT_URL to run the integration tests against a deployed stage')
    return url.rstrip('/')


@pytest.fixture(scope='session')
def expected_stage():
    return os.environ.get('EXPECTED_STAGE', <%- py(testedStages.length > 0 ? testedStages[0].name : chaliceStages[1]) %>)
