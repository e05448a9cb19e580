"""Package Chalice apps with the real Chalice and expand them as CloudFormation does, many apps in one process.

Usage: python3 package_apps.py JOBS.json
JOBS.json: [{"project": <app folder>, "stage": "beta", "out": <folder>}, ...]. For each job it writes
<out>/sam.json (what `chalice package --stage` emits), <out>/packaged.json (CodeUri/ContentUri replaced by S3
locations, as `aws cloudformation package` does) and <out>/transformed.json (after the SAM transform, as the change set
sees it); or <out>/error.txt with Chalice's message when the app cannot be packaged. One process saves Chalice's and
the translator's import time (~0.6 s) per app.
"""
import contextlib
import io
import json
import os
import sys
import traceback

from chalice.cli import cli
from samtranslator.translator.transform import transform

# The packaged code's location in the application bucket: only its shape matters to the translator and the role.
CODE_BUCKET = 'app-bucket-1a2b3c4d'


class NoManagedPolicies:
    """Chalice names its roles' policies itself: the translator never needs to look managed policies up."""

    def load(self):
        return {}


def as_cloudformation_package_does(template):
    for logical_id, resource in template.get('Resources', {}).items():
        properties = resource.get('Properties', {})
        for key in ('CodeUri', 'ContentUri'):
            if isinstance(properties.get(key), str):
                properties[key] = f's3://{CODE_BUCKET}/{logical_id.lower()}-0123456789abcdef'
    return template


def forget_app_modules():
    """Chalice imports app.py as the module `app`: the next app must not get the previous one from sys.modules."""
    for name in [name for name in sys.modules if name == 'app' or name == 'chalicelib' or name.startswith('chalicelib.')]:
        del sys.modules[name]


def package(job):
    forget_app_modules()
    out = job['out']
    os.makedirs(out, exist_ok=True)
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            cli.main(args=['--project-dir', job['project'], 'package', '--stage', job['stage'], out],
                     prog_name='chalice', standalone_mode=False, obj={})
    except BaseException as error:  # Chalice reports unpackable apps with NotImplementedError, click with SystemExit
        with open(os.path.join(out, 'error.txt'), 'w') as handle:
            handle.write(f'{type(error).__name__}: {error}\n{output.getvalue()}')
        return
    with open(os.path.join(out, 'sam.json')) as handle:
        packaged = as_cloudformation_package_does(json.load(handle))
    with open(os.path.join(out, 'packaged.json'), 'w') as handle:
        json.dump(packaged, handle, indent=1)
    try:
        transformed = transform(json.loads(json.dumps(packaged)), {}, NoManagedPolicies())
    except Exception:
        with open(os.path.join(out, 'error.txt'), 'w') as handle:
            handle.write(f'SAM transform failed:\n{traceback.format_exc()}')
        return
    with open(os.path.join(out, 'transformed.json'), 'w') as handle:
        json.dump(transformed, handle, indent=1)


def main():
    with open(sys.argv[1]) as handle:
        jobs = json.load(handle)
    # Metrics warnings of the translator and Chalice's progress output are not results.
    with contextlib.redirect_stderr(io.StringIO()):
        for job in jobs:
            package(job)


if __name__ == '__main__':
    main()
