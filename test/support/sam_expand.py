"""Expand packaged SAM templates as CloudFormation does when a change set is created (the SAM translator bundled
with cfn-lint), for the tests: `python3 sam_expand.py IN.json OUT.json [IN OUT ...]` (inputs JSON or YAML)."""
import json
import sys

import yaml
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """Chalice's templates name no managed policies: nothing to look up."""

    def load(self):
        return {}


def cfn_yaml(text):
    # `aws cloudformation package` writes plain YAML (long-form intrinsics); a loader that ignores unknown tags is enough.
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_mapping(node) if isinstance(node, yaml.MappingNode) else loader.construct_scalar(node))
    return yaml.load(text, Loader=Loader)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    for source, target in zip(arguments[::2], arguments[1::2]):
        with open(source) as handle:
            template = cfn_yaml(handle.read())
        with open(target, "w") as handle:
            json.dump(transform(template, {}, NoManagedPolicies()), handle, indent=1)
