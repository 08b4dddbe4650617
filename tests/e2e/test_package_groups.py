"""Package groups through the real aws CLI and boto3: the ten operations, the group tree, origin
configuration with inheritance and allowed repositories, associations, tags, IAM on group ARNs,
errors and pagination."""
import itertools
import json

from harness import ArcaTestCase, main

KINDS = ("PUBLISH", "EXTERNAL_UPSTREAM", "INTERNAL_UPSTREAM")
_ids = itertools.count(1)


class PackageGroups(ArcaTestCase):
    def group_arn(self, domain, encoded):
        return f"arn:aws:codeartifact:us-east-1:{self.arca.account}:package-group/{domain}{encoded}"

    def add_package(self, domain, repo, fmt, ns, name):
        """A package row in a repository, standing in for a publish (the formats come later)."""
        self.arca.sql("INSERT INTO packages (id, repository_id, format, namespace, name, display_name,"
                      " origin_publish, origin_upstream, created_ms, updated_ms)"
                      " SELECT ?, r.id, ?, ?, ?, ?, 'ALLOW', 'BLOCK', 0, 0 FROM repositories r"
                      " JOIN domains d ON d.id = r.domain_id WHERE d.name = ? AND r.name = ?",
                      (10_000 + next(_ids), fmt, ns, name, name, domain, repo))

    def test_tree_updates_tags_and_delete_with_the_cli(self):
        a = self.arca
        a.aws("create-domain", "--domain", "tree")
        root = a.aws("describe-package-group", "--domain", "tree", "--package-group", "/*")["packageGroup"]
        self.assertEqual(root["arn"], self.group_arn("tree", "/%2a"))
        self.assertEqual((root["pattern"], root["domainName"], root["domainOwner"]), ("/*", "tree", a.account))
        self.assertNotIn("parent", root)
        for kind in KINDS:
            self.assertEqual(root["originConfiguration"]["restrictions"][kind],
                             {"mode": "ALLOW", "effectiveMode": "ALLOW", "repositoriesCount": 0})

        g = a.aws("create-package-group", "--domain", "tree", "--package-group", "/npm/space/*", "--contact-info",
                  "ui-team@example.com", "--description", "UI packages", "--tags", "key=team,value=ui")["packageGroup"]
        self.assertEqual(g["arn"], self.group_arn("tree", "/npm/space/%2a"))
        self.assertEqual((g["contactInfo"], g["description"]), ("ui-team@example.com", "UI packages"))
        self.assertEqual(g["parent"], {"arn": root["arn"], "pattern": "/*"})
        self.assertIsInstance(g["createdTime"], float)
        for kind in KINDS:  # new groups inherit everything from the root
            self.assertEqual(g["originConfiguration"]["restrictions"][kind],
                             {"mode": "INHERIT", "effectiveMode": "ALLOW", "repositoriesCount": 0,
                              "inheritedFrom": {"arn": root["arn"], "pattern": "/*"}})

        # A group created above an existing one adopts it; one created below takes the closest parent.
        npm = a.aws("create-package-group", "--domain", "tree", "--package-group", "/npm/*")["packageGroup"]
        self.assertEqual(npm["parent"]["pattern"], "/*")
        a.aws("create-package-group", "--domain", "tree", "--package-group", "/npm/space/anycompany~")
        a.aws("create-package-group", "--domain", "tree", "--package-group", "/maven/org.apache.logging.log4j/log4j-core$")
        g = a.aws("describe-package-group", "--domain", "tree", "--package-group", "/npm/space/*")["packageGroup"]
        self.assertEqual(g["parent"], {"arn": npm["arn"], "pattern": "/npm/*"})
        sub = a.aws("list-sub-package-groups", "--domain", "tree", "--package-group", "/npm/space/*")
        self.assertEqual([x["pattern"] for x in sub["packageGroups"]], ["/npm/space/anycompany~"])
        sub = a.aws("list-sub-package-groups", "--domain", "tree", "--package-group", "/*")
        self.assertEqual([x["pattern"] for x in sub["packageGroups"]],
                         ["/maven/org.apache.logging.log4j/log4j-core$", "/npm/*"])
        listed = a.aws("list-package-groups", "--domain", "tree")["packageGroups"]
        self.assertEqual([x["pattern"] for x in listed], ["/*", "/maven/org.apache.logging.log4j/log4j-core$",
                                                          "/npm/*", "/npm/space/*", "/npm/space/anycompany~"])
        self.assertEqual(listed[3], g)  # a summary carries what a description does
        listed = a.aws("list-package-groups", "--domain", "tree", "--prefix", "/npm/space")["packageGroups"]
        self.assertEqual([x["pattern"] for x in listed], ["/npm/space/*", "/npm/space/anycompany~"])
        # The CLI pages through max-results and merges the pages.
        listed = a.aws("list-package-groups", "--domain", "tree", "--page-size", "2")["packageGroups"]
        self.assertEqual(len(listed), 5)

        # UpdatePackageGroup changes contact info and description only.
        u = a.aws("update-package-group", "--domain", "tree", "--package-group", "/npm/space/*", "--description",
                  "all of space")["packageGroup"]
        self.assertEqual((u["description"], u["contactInfo"], u["parent"]["pattern"]),
                         ("all of space", "ui-team@example.com", "/npm/*"))

        # Tags: set at creation, changed with Tag/UntagResource; %2A and %2a name the same group.
        arn = g["arn"]
        self.assertEqual(a.aws("list-tags-for-resource", "--resource-arn", arn)["tags"],
                         [{"key": "team", "value": "ui"}])
        a.aws("tag-resource", "--resource-arn", arn.replace("%2a", "%2A"), "--tags", "key=tier,value=1")
        self.assertEqual(len(a.aws("list-tags-for-resource", "--resource-arn", arn)["tags"]), 2)
        a.aws("untag-resource", "--resource-arn", arn, "--tag-keys", "team")
        self.assertEqual(a.aws("list-tags-for-resource", "--resource-arn", arn)["tags"],
                         [{"key": "tier", "value": "1"}])
        code, _ = a.aws_error("list-tags-for-resource", "--resource-arn", self.group_arn("tree", "/pypi/%2a"))
        self.assertEqual(code, "ResourceNotFoundException")

        # Deleting a group moves its children to its parent and drops its tags; the root stays.
        d = a.aws("delete-package-group", "--domain", "tree", "--package-group", "/npm/*")["packageGroup"]
        self.assertEqual((d["pattern"], d["parent"]["pattern"]), ("/npm/*", "/*"))
        g = a.aws("describe-package-group", "--domain", "tree", "--package-group", "/npm/space/*")["packageGroup"]
        self.assertEqual(g["parent"]["pattern"], "/*")
        a.aws("delete-package-group", "--domain", "tree", "--package-group", "/npm/space/*")
        code, _ = a.aws_error("list-tags-for-resource", "--resource-arn", arn)
        self.assertEqual(code, "ResourceNotFoundException")
        a.aws("create-package-group", "--domain", "tree", "--package-group", "/npm/space/*")
        self.assertEqual(a.aws("list-tags-for-resource", "--resource-arn", arn)["tags"], [])
        code, msg = a.aws_error("delete-package-group", "--domain", "tree", "--package-group", "/*")
        self.assertEqual(code, "ValidationException")
        self.assertIn("root package group /* cannot be deleted", msg)

        # Errors.
        code, msg = a.aws_error("create-package-group", "--domain", "tree", "--package-group", "/npm/space/*")
        self.assertEqual(code, "ConflictException")
        self.assertIn("already exists", msg)
        code, _ = a.aws_error("describe-package-group", "--domain", "tree", "--package-group", "/npm/none/*")
        self.assertEqual(code, "ResourceNotFoundException")
        code, _ = a.aws_error("describe-package-group", "--domain", "nodomain", "--package-group", "/*")
        self.assertEqual(code, "ResourceNotFoundException")
        code, msg = a.aws_error("create-package-group", "--domain", "tree", "--package-group", "/pypi//Django$")
        self.assertEqual(code, "ValidationException")
        self.assertIn("use 'django'", msg)
        ca = a.client()  # the rest of the bad patterns quicker through boto3
        for bad, why in [("npm/space/*", "must start with '/'"), ("/npm/space", "must end with"),
                         ("/pypi/ns/*", "pypi packages have no namespace"),
                         ("/maven//log4j-core$", "maven packages have a namespace"),
                         ("/npm/space/foo-~", "word boundary"), ("/python//requests$", "unknown package format")]:
            with self.assertRaises(ca.exceptions.ValidationException, msg=bad) as cm:
                ca.create_package_group(domain="tree", packageGroup=bad)
            self.assertIn(why, cm.exception.response["Error"]["Message"])
        code, _ = a.aws_error("update-package-group", "--domain", "tree", "--package-group", "/npm/space/*",
                              "--contact-info", "x" * 1001)
        self.assertEqual(code, "ValidationException")

        # Deleting the domain takes its groups (and their tags) along.
        a.aws("tag-resource", "--resource-arn", arn, "--tags", "key=old,value=1")
        a.aws("delete-domain", "--domain", "tree")
        a.aws("create-domain", "--domain", "tree")
        self.assertEqual([x["pattern"] for x in a.aws("list-package-groups", "--domain", "tree")["packageGroups"]],
                         ["/*"])
        a.aws("create-package-group", "--domain", "tree", "--package-group", "/npm/space/*")
        self.assertEqual(a.aws("list-tags-for-resource", "--resource-arn", arn)["tags"], [])

    def test_origin_configuration_and_association_with_the_cli(self):
        a = self.arca
        a.aws("create-domain", "--domain", "origins")
        for repo in ("internal", "store"):
            a.aws("create-repository", "--domain", "origins", "--repository", repo)
        a.aws("create-package-group", "--domain", "origins", "--package-group", "/npm/corp/*")
        a.aws("create-package-group", "--domain", "origins", "--package-group", "/npm/corp/ui~")
        out = a.aws("update-package-group-origin-configuration", "--domain", "origins", "--package-group",
                    "/npm/corp/*", "--restrictions", "PUBLISH=ALLOW_SPECIFIC_REPOSITORIES,EXTERNAL_UPSTREAM=BLOCK",
                    "--add-allowed-repositories", "repositoryName=internal,originRestrictionType=PUBLISH",
                    "repositoryName=store,originRestrictionType=INTERNAL_UPSTREAM")
        self.assertEqual(out["allowedRepositoryUpdates"],
                         {"PUBLISH": {"ADDED": ["internal"], "REMOVED": []},
                          "INTERNAL_UPSTREAM": {"ADDED": ["store"], "REMOVED": []}})
        r = out["packageGroup"]["originConfiguration"]["restrictions"]
        self.assertEqual(r["PUBLISH"], {"mode": "ALLOW_SPECIFIC_REPOSITORIES",
                                        "effectiveMode": "ALLOW_SPECIFIC_REPOSITORIES", "repositoriesCount": 1})
        self.assertEqual(r["EXTERNAL_UPSTREAM"], {"mode": "BLOCK", "effectiveMode": "BLOCK", "repositoriesCount": 0})
        self.assertEqual((r["INTERNAL_UPSTREAM"]["mode"], r["INTERNAL_UPSTREAM"]["effectiveMode"],
                          r["INTERNAL_UPSTREAM"]["repositoriesCount"]), ("INHERIT", "ALLOW", 1))

        # The child inherits each restriction from the first ancestor that sets it.
        child = a.aws("describe-package-group", "--domain", "origins", "--package-group", "/npm/corp/ui~")
        r = child["packageGroup"]["originConfiguration"]["restrictions"]
        self.assertEqual((r["PUBLISH"]["effectiveMode"], r["PUBLISH"]["inheritedFrom"]["pattern"]),
                         ("ALLOW_SPECIFIC_REPOSITORIES", "/npm/corp/*"))
        self.assertEqual((r["EXTERNAL_UPSTREAM"]["effectiveMode"], r["EXTERNAL_UPSTREAM"]["inheritedFrom"]["pattern"]),
                         ("BLOCK", "/npm/corp/*"))
        self.assertEqual((r["INTERNAL_UPSTREAM"]["effectiveMode"], r["INTERNAL_UPSTREAM"]["inheritedFrom"]["pattern"]),
                         ("ALLOW", "/*"))
        allowed = a.aws("list-allowed-repositories-for-group", "--domain", "origins", "--package-group", "/npm/corp/*",
                        "--origin-restriction-type", "PUBLISH")
        self.assertEqual(allowed["allowedRepositories"], ["internal"])

        # The root can be changed but never inherit.
        a.aws("update-package-group-origin-configuration", "--domain", "origins", "--package-group", "/*",
              "--restrictions", "INTERNAL_UPSTREAM=BLOCK")
        r = a.aws("describe-package-group", "--domain", "origins", "--package-group", "/npm/corp/ui~")
        self.assertEqual(r["packageGroup"]["originConfiguration"]["restrictions"]["INTERNAL_UPSTREAM"]
                         ["effectiveMode"], "BLOCK")
        code, msg = a.aws_error("update-package-group-origin-configuration", "--domain", "origins", "--package-group",
                                "/*", "--restrictions", "PUBLISH=INHERIT")
        self.assertEqual(code, "ValidationException")
        self.assertIn("no parent to inherit from", msg)

        # Errors change nothing (boto3 for speed; the CLI shapes were exercised above).
        ca = a.client()
        publish = {"repositoryName": "store", "originRestrictionType": "PUBLISH"}
        nosuch = {"repositoryName": "nosuch", "originRestrictionType": "PUBLISH"}
        for kwargs, want in [
            ({"restrictions": {"PUBLISH": "MAYBE"}}, ca.exceptions.ValidationException),
            ({"restrictions": {"UPLOAD": "BLOCK"}}, ca.exceptions.ValidationException),
            ({"addAllowedRepositories": [nosuch]}, ca.exceptions.ResourceNotFoundException),
            ({"addAllowedRepositories": [dict(publish, originRestrictionType="ANY")]},
             ca.exceptions.ValidationException),
            ({"addAllowedRepositories": [publish], "removeAllowedRepositories": [publish]},
             ca.exceptions.ValidationException),
            ({"restrictions": {"PUBLISH": "BLOCK"}, "addAllowedRepositories": [nosuch]},
             ca.exceptions.ResourceNotFoundException),
        ]:
            with self.assertRaises(want, msg=str(kwargs)):
                ca.update_package_group_origin_configuration(domain="origins", packageGroup="/npm/corp/*", **kwargs)
        r = a.aws("describe-package-group", "--domain", "origins", "--package-group", "/npm/corp/*")
        self.assertEqual(r["packageGroup"]["originConfiguration"]["restrictions"]["PUBLISH"]["mode"],
                         "ALLOW_SPECIFIC_REPOSITORIES")
        code, _ = a.aws_error("list-allowed-repositories-for-group", "--domain", "origins", "--package-group",
                              "/npm/corp/*", "--origin-restriction-type", "SOMETIMES")
        self.assertEqual(code, "ValidationException")
        code, _ = a.aws_error("update-package-group-origin-configuration", "--domain", "origins", "--package-group",
                              "/npm/other/*", "--restrictions", "PUBLISH=BLOCK")
        self.assertEqual(code, "ResourceNotFoundException")

        out = a.aws("update-package-group-origin-configuration", "--domain", "origins", "--package-group",
                    "/npm/corp/*", "--remove-allowed-repositories",
                    "repositoryName=internal,originRestrictionType=PUBLISH")
        self.assertEqual(out["allowedRepositoryUpdates"], {"PUBLISH": {"ADDED": [], "REMOVED": ["internal"]}})
        self.assertEqual(out["packageGroup"]["originConfiguration"]["restrictions"]["PUBLISH"]["repositoriesCount"], 0)

        # GetAssociatedPackageGroup works for packages that exist nowhere.
        def assoc(*args):
            out = a.aws("get-associated-package-group", "--domain", "origins", *args)
            return out["packageGroup"]["pattern"], out["associationType"]
        self.assertEqual(assoc("--format", "npm", "--namespace", "corp", "--package", "ui-kit"),
                         ("/npm/corp/ui~", "STRONG"))
        self.assertEqual(assoc("--format", "npm", "--namespace", "corp", "--package", "uikit"), ("/npm/corp/*", "STRONG"))
        self.assertEqual(assoc("--format", "npm", "--namespace", "Corp", "--package", "x"), ("/npm/corp/*", "WEAK"))
        self.assertEqual(assoc("--format", "npm", "--package", "react"), ("/*", "STRONG"))
        a.aws("create-package-group", "--domain", "origins", "--package-group", "/pypi//corp-tool$")
        self.assertEqual(assoc("--format", "pypi", "--package", "Corp_Tool"), ("/pypi//corp-tool$", "STRONG"))
        code, _ = a.aws_error("get-associated-package-group", "--domain", "origins", "--format", "npm", "--package",
                              "a/b")
        self.assertEqual(code, "ValidationException")
        code, _ = a.aws_error("get-associated-package-group", "--domain", "origins", "--format", "rpm", "--package",
                              "x")
        self.assertEqual(code, "ValidationException")

    def test_boto3_shapes_pagination_and_associated_packages(self):
        a = self.arca
        ca = a.client()
        ca.create_domain(domain="bgroups")
        for repo in ("r1", "r2", "r3"):
            ca.create_repository(domain="bgroups", repository=repo)
        for repo, fmt, ns, name in [("r1", "npm", "", "left-pad"), ("r2", "npm", "", "left-pad"),
                                    ("r1", "npm", "", "Left_Pad"), ("r1", "npm", "", "react"),
                                    ("r2", "npm", "corp", "a"), ("r3", "npm", "corp", "b"),
                                    ("r3", "npm", "corp", "c"), ("r1", "pypi", "", "requests")]:
            self.add_package("bgroups", repo, fmt, ns, name)
        for pattern in ("/npm/*", "/npm//left-pad$", "/npm/corp~", "/pypi/*", "/maven/*"):
            ca.create_package_group(domain="bgroups", packageGroup=pattern, tags=[{"key": "k", "value": "v"}])

        with self.assertRaises(ca.exceptions.ConflictException) as cm:
            ca.create_package_group(domain="bgroups", packageGroup="/npm/*")
        self.assertEqual((cm.exception.response["resourceType"], cm.exception.response["resourceId"]),
                         ("package-group", "/npm/*"))
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.describe_package_group(domain="bgroups", packageGroup="/npm/none/*")
        self.assertEqual((cm.exception.response["resourceType"], cm.exception.response["resourceId"]),
                         ("package-group", "/npm/none/*"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        with self.assertRaises(ca.exceptions.ValidationException) as cm:
            ca.describe_package_group(domain="bgroups", packageGroup="/npm/none")
        self.assertEqual(cm.exception.response["reason"], "FIELD_VALIDATION_FAILED")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.list_package_groups(domain="bgroups", maxResults=1001)
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.list_package_groups(domain="bgroups", nextToken="not-a-token")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.create_package_group(domain="bgroups", packageGroup="/npm/" + "a" * 520 + "$")

        # Paginators: every group once, in pattern order, the last page without a token.
        pages = list(ca.get_paginator("list_package_groups").paginate(domain="bgroups",
                                                                      PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        self.assertNotIn("nextToken", pages[-1])
        self.assertEqual([g["pattern"] for p in pages for g in p["packageGroups"]],
                         ["/*", "/maven/*", "/npm/*", "/npm//left-pad$", "/npm/corp~", "/pypi/*"])
        pages = list(ca.get_paginator("list_sub_package_groups").paginate(
            domain="bgroups", packageGroup="/npm/*", PaginationConfig={"PageSize": 1}))
        self.assertEqual([g["pattern"] for p in pages for g in p["packageGroups"]], ["/npm//left-pad$", "/npm/corp~"])
        ca.update_package_group_origin_configuration(
            domain="bgroups", packageGroup="/npm/corp~", restrictions={"PUBLISH": "ALLOW_SPECIFIC_REPOSITORIES"},
            addAllowedRepositories=[{"repositoryName": r, "originRestrictionType": "PUBLISH"}
                                    for r in ("r3", "r1", "r2")])
        pages = list(ca.get_paginator("list_allowed_repositories_for_group").paginate(
            domain="bgroups", packageGroup="/npm/corp~", originRestrictionType="PUBLISH",
            PaginationConfig={"PageSize": 1}))
        self.assertEqual([r for p in pages for r in p["allowedRepositories"]], ["r1", "r2", "r3"])
        self.assertEqual(len(pages), 3)

        # ListAssociatedPackages: distinct over repositories, each package in its most specific group.
        def associated(pattern, size=1, **kw):
            pages = list(ca.get_paginator("list_associated_packages").paginate(
                domain="bgroups", packageGroup=pattern, PaginationConfig={"PageSize": size}, **kw))
            return [(p.get("namespace", ""), p["package"], p["associationType"])
                    for page in pages for p in page["packages"]]
        self.assertEqual(associated("/npm//left-pad$"), [("", "Left_Pad", "WEAK"), ("", "left-pad", "STRONG")])
        self.assertEqual(associated("/npm/*"), [("", "react", "STRONG")])
        self.assertEqual(associated("/npm/corp~", size=2),
                         [("corp", "a", "STRONG"), ("corp", "b", "STRONG"), ("corp", "c", "STRONG")])
        self.assertEqual(associated("/*"), [])
        self.assertEqual(associated("/pypi/*"), [("", "requests", "STRONG")])
        one = ca.list_associated_packages(domain="bgroups", packageGroup="/pypi/*")["packages"][0]
        self.assertEqual(one, {"format": "pypi", "package": "requests", "associationType": "STRONG"})
        # preview: what a group that does not exist would take; without preview it is not found.
        self.assertEqual(associated("/npm/corp/*", preview=True), [("corp", "a", "STRONG"), ("corp", "b", "STRONG"),
                                                                   ("corp", "c", "STRONG")])
        self.assertEqual(associated("/npm//react$", preview=True), [("", "react", "STRONG")])
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.list_associated_packages(domain="bgroups", packageGroup="/npm/corp/*")
        self.assertEqual(cm.exception.response["resourceType"], "package-group")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.list_associated_packages(domain="bgroups", packageGroup="/npm/corp/", preview=True)

        # The remaining operations once through boto3, with their shapes.
        g = ca.get_associated_package_group(domain="bgroups", format="npm", package="LEFT.PAD")
        self.assertEqual((g["packageGroup"]["pattern"], g["associationType"]), ("/npm//left-pad$", "WEAK"))
        u = ca.update_package_group(domain="bgroups", packageGroup="/maven/*", contactInfo="java@example.com")
        self.assertEqual(u["packageGroup"]["contactInfo"], "java@example.com")
        self.assertEqual(u["packageGroup"]["createdTime"].year >= 2024, True)
        arn = u["packageGroup"]["arn"]
        self.assertEqual(ca.list_tags_for_resource(resourceArn=arn)["tags"], [{"key": "k", "value": "v"}])
        d = ca.delete_package_group(domain="bgroups", packageGroup="/maven/*")["packageGroup"]
        self.assertEqual(d["arn"], arn)
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.describe_package_group(domain="bgroups", packageGroup="/maven/*")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.delete_package_group(domain="bgroups", packageGroup="/*")

    def test_iam_on_package_group_arns(self):
        a = self.arca
        a.aws("create-domain", "--domain", "authz")
        for pattern in ("/npm/*", "/pypi/*"):
            a.aws("create-package-group", "--domain", "authz", "--package-group", pattern)
        # In an ARN '*' is written %2a, so a policy's '*' is a wildcard and never a group's own star.
        policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["codeartifact:DescribePackageGroup", "codeartifact:UpdatePackageGroup"],
            "Resource": f"arn:aws:codeartifact:us-east-1:{a.account}:package-group/authz/npm/*"}]}
        creds = a.new_user("npm-owner", policy)
        g = a.aws("describe-package-group", "--domain", "authz", "--package-group", "/npm/*", creds=creds)
        self.assertEqual(g["packageGroup"]["pattern"], "/npm/*")
        a.aws("update-package-group", "--domain", "authz", "--package-group", "/npm/*", "--description", "mine",
              creds=creds)
        for pattern in ("/pypi/*", "/*"):
            code, msg = a.aws_error("describe-package-group", "--domain", "authz", "--package-group", pattern,
                                    creds=creds)
            self.assertEqual(code, "AccessDeniedException")
            self.assertIn("codeartifact:DescribePackageGroup", msg)
        code, _ = a.aws_error("update-package-group-origin-configuration", "--domain", "authz", "--package-group",
                              "/npm/*", "--restrictions", "PUBLISH=BLOCK", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        # Authorisation comes before existence: a group the caller may not see is not reported missing.
        code, _ = a.aws_error("describe-package-group", "--domain", "authz", "--package-group", "/maven/*",
                              creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        code, _ = a.aws_error("describe-package-group", "--domain", "authz", "--package-group", "/npm/x/*",
                              creds=creds)
        self.assertEqual(code, "ResourceNotFoundException")


if __name__ == "__main__":
    main()
