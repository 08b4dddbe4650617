"""Reading packages: ListPackages, DescribePackage, ListPackageVersions (pagination, sortBy, status and
originType filters), DescribePackageVersion, readme and dependencies, with the aws CLI and boto3."""
import datetime
import os
import sqlite3

from harness import ArcaTestCase, main, sha256_hex

REPO = ["--domain", "lst", "--repository", "rep"]
APP = REPO + ["--format", "generic", "--namespace", "alpha", "--package", "app"]
APP_KW = dict(domain="lst", repository="rep", format="generic", namespace="alpha", package="app")


class PackageListing(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ca = cls.ca = cls.arca.client()
        ca.create_domain(domain="lst")
        ca.create_repository(domain="lst", repository="rep")
        data = b"listing"

        def publish(ns, pkg, version):
            ca.publish_package_version(domain="lst", repository="rep", format="generic", namespace=ns, package=pkg,
                                       packageVersion=version, assetContent=data, assetName="a.txt",
                                       assetSHA256=sha256_hex(data))

        # Publish order differs from version order, so the two orderings can be told apart.
        for version in ["2.0", "1.0", "10.0", "3.0"]:
            publish("alpha", "app", version)
        publish("alpha", "apple", "1.0")
        publish("alpha", "banana", "1.0")
        publish("beta", "app", "1.0")
        ca.update_package_versions_status(**APP_KW, versions=["1.0"], targetStatus="Unlisted")
        ca.update_package_versions_status(**APP_KW, versions=["3.0"], targetStatus="Archived")

    def names(self, packages):
        return [f"{p.get('namespace', '')}/{p['package']}" for p in packages]

    def test_list_packages(self):
        a, ca = self.arca, self.ca
        everything = ["alpha/app", "alpha/apple", "alpha/banana", "beta/app"]
        out = a.aws("list-packages", *REPO, "--page-size", "1")  # the CLI follows every token
        self.assertEqual(self.names(out["packages"]), everything)
        self.assertEqual(out["packages"][0], {"format": "generic", "namespace": "alpha", "package": "app",
                                              "originConfiguration": {"restrictions": {"publish": "ALLOW",
                                                                                        "upstream": "BLOCK"}}})
        page = a.aws("list-packages", *REPO, "--max-results", "2")
        self.assertEqual(self.names(page["packages"]), everything[:2])
        page2 = a.aws("list-packages", *REPO, "--max-results", "2", "--next-token", page["nextToken"])
        self.assertEqual(self.names(page2["packages"]), everything[2:])
        self.assertNotIn("nextToken", page2)
        pages = list(ca.get_paginator("list_packages").paginate(domain="lst", repository="rep",
                                                                 PaginationConfig={"PageSize": 3}))
        self.assertEqual([len(p["packages"]) for p in pages], [3, 1])

        def listed(**kw):
            return self.names(ca.list_packages(domain="lst", repository="rep", **kw)["packages"])

        self.assertEqual(listed(namespace="al"), everything[:3])  # namespace is a prefix filter
        self.assertEqual(listed(packagePrefix="app"), ["alpha/app", "alpha/apple", "beta/app"])
        self.assertEqual(listed(format="generic", namespace="beta"), ["beta/app"])
        self.assertEqual(listed(format="pypi"), [])
        self.assertEqual(listed(publish="ALLOW", upstream="BLOCK"), everything)
        self.assertEqual(listed(upstream="ALLOW"), [])

        for args in (["--publish", "MAYBE"], ["--upstream", "yes"], ["--next-token", "bm90LW91cnM"],
                     ["--max-results", "1001"], ["--format", "cobol"]):
            with self.subTest(args=args):
                self.assertEqual(a.aws_error("list-packages", *REPO, *args)[0], "ValidationException")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.list_packages(domain="lst", repository="nosuch")
        self.assertEqual(cm.exception.response["resourceType"], "repository")

    def test_describe_package(self):
        out = self.arca.aws("describe-package", *APP)["package"]
        self.assertEqual(out, {"format": "generic", "namespace": "alpha", "name": "app",
                               "originConfiguration": {"restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}}})
        with self.assertRaises(self.ca.exceptions.ResourceNotFoundException) as cm:
            self.ca.describe_package(**dict(APP_KW, package="nope"))
        self.assertEqual((cm.exception.response["resourceType"], cm.exception.response["resourceId"]),
                         ("package", "nope"))
        code, _ = self.arca.aws_error("describe-package", *REPO, "--format", "generic", "--package", "app")
        self.assertEqual(code, "ValidationException")  # generic needs a namespace

    def test_list_package_versions(self):
        a, ca = self.arca, self.ca
        out = a.aws("list-package-versions", *APP)
        self.assertEqual([v["version"] for v in out["versions"]], ["1.0", "10.0", "2.0", "3.0"])
        self.assertEqual([v["status"] for v in out["versions"]], ["Unlisted", "Published", "Published", "Archived"])
        self.assertEqual(out["defaultDisplayVersion"], "10.0")  # newest Published
        self.assertEqual((out["format"], out["namespace"], out["package"]), ("generic", "alpha", "app"))
        v = out["versions"][0]
        self.assertEqual(v["origin"], {"domainEntryPoint": {"repositoryName": "rep"}, "originType": "INTERNAL"})
        self.assertEqual(len(v["revision"]), 44)

        newest_first = ["3.0", "10.0", "1.0", "2.0"]
        out = a.aws("list-package-versions", *APP, "--sort-by", "PUBLISHED_TIME", "--page-size", "1")
        self.assertEqual([v["version"] for v in out["versions"]], newest_first)
        pages = list(ca.get_paginator("list_package_versions").paginate(
            **APP_KW, sortBy="PUBLISHED_TIME", PaginationConfig={"PageSize": 3}))
        self.assertEqual([[v["version"] for v in p["versions"]] for p in pages], [newest_first[:3], newest_first[3:]])
        page = ca.list_package_versions(**APP_KW, maxResults=2)
        self.assertEqual([v["version"] for v in page["versions"]], ["1.0", "10.0"])
        page = ca.list_package_versions(**APP_KW, maxResults=2, nextToken=page["nextToken"])
        self.assertEqual([v["version"] for v in page["versions"]], ["2.0", "3.0"])
        self.assertNotIn("nextToken", page)
        first = ca.list_package_versions(**APP_KW, maxResults=1)["nextToken"]
        with self.assertRaises(ca.exceptions.ValidationException):  # a token of the other ordering
            ca.list_package_versions(**APP_KW, sortBy="PUBLISHED_TIME", nextToken=first)

        def versions(**kw):
            return [v["version"] for v in ca.list_package_versions(**APP_KW, **kw)["versions"]]

        self.assertEqual(versions(status="Published"), ["10.0", "2.0"])
        self.assertEqual(versions(status="Unlisted"), ["1.0"])
        self.assertEqual(versions(status="Archived", sortBy="PUBLISHED_TIME"), ["3.0"])
        self.assertEqual(versions(status="Deleted"), [])
        self.assertEqual(versions(originType="INTERNAL"), ["1.0", "10.0", "2.0", "3.0"])
        self.assertEqual(versions(originType="EXTERNAL"), [])
        self.assertEqual(versions(originType="INTERNAL", status="Published", sortBy="PUBLISHED_TIME"), ["10.0", "2.0"])

        for args in (["--status", "Gone"], ["--sort-by", "NAME"], ["--origin-type", "SIDEWAYS"]):
            with self.subTest(args=args):
                self.assertEqual(a.aws_error("list-package-versions", *APP, *args)[0], "ValidationException")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.list_package_versions(**dict(APP_KW, namespace="gamma"))
        self.assertEqual(cm.exception.response["resourceType"], "package")

    def test_describe_version_readme_dependencies(self):
        a, ca = self.arca, self.ca
        # Generic packages carry no metadata; the formats that do (npm, pypi) fill these columns on
        # publish. Until they are merged, write them straight into the database to check the API's side.
        db = sqlite3.connect(os.path.join(a.data, "arca.db"), timeout=10)
        with db:
            vid, = db.execute("SELECT v.id FROM package_versions v JOIN packages p ON p.id = v.package_id "
                              "WHERE p.namespace = 'alpha' AND p.name = 'app' AND v.version = '2.0'").fetchone()
            db.execute("UPDATE package_versions SET summary = 'An app', home_page = 'https://example.invalid/app', "
                       "source_code_repository = 'https://example.invalid/src', readme = '# App\n', "
                       "licenses = '[{\"name\": \"MIT\", \"url\": \"https://example.invalid/mit\"}]' WHERE id = ?",
                       (vid,))
            db.executemany("INSERT INTO dependencies (version_id, position, namespace, package, dependency_type, "
                           "version_requirement) VALUES (?, ?, ?, ?, ?, ?)",
                           [(vid, 0, None, "left-pad", "regular", "^1.0.0"), (vid, 1, "types", "node", "dev", "*")])
        db.close()

        v = a.aws("describe-package-version", *APP, "--package-version", "2.0")["packageVersion"]
        self.assertEqual({k: v[k] for k in ("format", "namespace", "packageName", "displayName", "version", "summary",
                                            "homePage", "sourceCodeRepository", "status")},
                         {"format": "generic", "namespace": "alpha", "packageName": "app", "displayName": "app",
                          "version": "2.0", "summary": "An app", "homePage": "https://example.invalid/app",
                          "sourceCodeRepository": "https://example.invalid/src", "status": "Published"})
        self.assertEqual(v["licenses"], [{"name": "MIT", "url": "https://example.invalid/mit"}])
        self.assertEqual(v["origin"]["domainEntryPoint"], {"repositoryName": "rep"})
        self.assertIsInstance(v["publishedTime"], float)
        described = ca.describe_package_version(**APP_KW, packageVersion="2.0")["packageVersion"]
        self.assertIsInstance(described["publishedTime"], datetime.datetime)
        self.assertEqual(described["revision"], v["revision"])

        readme = a.aws("get-package-version-readme", *APP, "--package-version", "2.0")
        self.assertEqual(readme["readme"], "# App\n")
        self.assertEqual(readme["versionRevision"], v["revision"])
        deps = a.aws("list-package-version-dependencies", *APP, "--package-version", "2.0")
        self.assertEqual(deps["dependencies"], [
            {"package": "left-pad", "dependencyType": "regular", "versionRequirement": "^1.0.0"},
            {"namespace": "types", "package": "node", "dependencyType": "dev", "versionRequirement": "*"}])
        self.assertEqual((deps["version"], deps["versionRevision"]), ("2.0", v["revision"]))
        deps = ca.list_package_version_dependencies(**APP_KW, packageVersion="2.0")
        self.assertEqual(len(deps["dependencies"]), 2)
        self.assertNotIn("nextToken", deps)

        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.describe_package_version(**APP_KW, packageVersion="7.0")
        self.assertEqual((cm.exception.response["resourceType"], cm.exception.response["resourceId"]),
                         ("package-version", "7.0"))
        self.assertEqual(a.aws_error("describe-package-version", *APP, "--package-version", "bad version")[0],
                         "ValidationException")


if __name__ == "__main__":
    main()
