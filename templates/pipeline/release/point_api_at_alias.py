"""Point Chalice's REST API at the alias CodeDeploy shifts, in a template `chalice package` wrote.

The Build stage runs it on the prod template after `chalice package --merge-template <%- mergeTemplatePath %>`
(`make package` too). Chalice's API calls the unqualified function: every integration URI in the RestAPI's swagger
names `${APIHandler.Arn}`, out of a merge file's reach. Without this step a canary would shift nothing (API Gateway
would keep calling $LATEST) and a rollback would move an alias nobody calls. Running it twice changes nothing: an
URI that already names the alias (`${APIHandler.Alias}`, or `${APIHandler.Arn}:<alias>` as Chalice's lambda_alias
setting writes it) is left alone.

Usage: python <%- aliasScriptPath %> build/prod/sam.json
"""
import json
import re
import sys

HANDLER = "APIHandler"
UNQUALIFIED = "${%s.Arn}/invocations" % HANDLER
ALIASED = "${%s.Alias}/invocations" % HANDLER
# `${APIHandler.Arn}:<alias>/invocations` (aws/chalice#2173) names an alias too.
QUALIFIED = re.compile(r"\$\{%s\.Arn\}:([A-Za-z0-9_-]+)/invocations" % HANDLER)


def fail(message):
    sys.exit("point_api_at_alias: %s" % message)


def integrations(body):
    """Every x-amazon-apigateway-integration of the swagger body, with the route it serves."""
    for path, operations in sorted(body.get("paths", {}).items()):
        for method, operation in sorted(operations.items()):
            if isinstance(operation, dict) and "x-amazon-apigateway-integration" in operation:
                yield "%s %s" % (method.upper(), path), operation["x-amazon-apigateway-integration"]


def point_uri(route, integration, alias):
    """Re-point one integration URI at the alias; returns whether it changed."""
    uri = integration.get("uri")
    text = uri.get("Fn::Sub") if isinstance(uri, dict) else None
    if not isinstance(text, str) or "${%s." % HANDLER not in text:
        return False  # another function (an authorizer's, a custom integration): not shifted
    if ALIASED in text:
        return False
    qualified = QUALIFIED.search(text)
    if qualified:
        if qualified.group(1) != alias:
            fail("%s calls alias %s, but traffic shifts alias %s (remove lambda_alias from .chalice/config.json)"
                 % (route, qualified.group(1), alias))
        return False
    if UNQUALIFIED not in text:
        fail("%s has an integration URI this script does not know: %s" % (route, text))
    uri["Fn::Sub"] = text.replace(UNQUALIFIED, ALIASED)
    return True


def point_permission(resources, alias):
    """The permission API Gateway invokes with must name the alias; returns whether it changed."""
    permission = resources.get("%sInvokePermission" % HANDLER)
    if permission is None:
        fail("%sInvokePermission is missing: is this a template `chalice package` wrote?" % HANDLER)
    properties = permission["Properties"]
    aliased = [{"Ref": "%s.Alias" % HANDLER}, {"Fn::Sub": "${%s.Arn}:%s" % (HANDLER, alias)}]
    if properties.get("FunctionName") in aliased:
        return False
    properties["FunctionName"] = aliased[0]
    return True


def main(path):
    with open(path) as handle:
        template = json.load(handle)
    resources = template.get("Resources", {})
    handler = resources.get(HANDLER, {})
    if handler.get("Type") != "AWS::Serverless::Function":
        fail("no %s function in %s: traffic shifting needs a REST API (@app.route); answer prodDeployment AllAtOnce for an app without one" % (HANDLER, path))
    alias = handler.get("Properties", {}).get("AutoPublishAlias")
    if not alias:
        fail("%s has no AutoPublishAlias: package with --merge-template <%- mergeTemplatePath %> first" % HANDLER)
    api = resources.get("RestAPI", {}).get("Properties", {}).get("DefinitionBody")
    if not isinstance(api, dict):
        fail("RestAPI has no DefinitionBody in %s" % path)
    routes = list(integrations(api))
    changed = [route for route, integration in routes if point_uri(route, integration, alias)]
    permission = point_permission(resources, alias)
    with open(path, "w") as handle:
        json.dump(template, handle, indent=2)
        handle.write("\n")
    print("point_api_at_alias: alias %s: %d of %d integration URI(s) re-pointed, invoke permission %s"
          % (alias, len(changed), len(routes), "re-pointed" if permission else "already on it"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: python %s <sam.json>" % sys.argv[0])
    main(sys.argv[1])
