"""The control plane through boto3: modeled exceptions with their fields, paginators, timestamps."""
import datetime

from harness import ArcaTestCase, main


class Boto3(ArcaTestCase):
    def test_shapes_and_errors(self):
        ca = self.arca.client()
        d = ca.create_domain(domain="bt", tags=[{"key": "a", "value": "b"}])["domain"]
        self.assertIsInstance(d["createdTime"], datetime.datetime)
        resp = ca.describe_domain(domain="bt")
        self.assertTrue(resp["ResponseMetadata"]["RequestId"])

        with self.assertRaises(ca.exceptions.ConflictException) as cm:
            ca.create_domain(domain="bt")
        self.assertEqual(cm.exception.response["resourceType"], "domain")
        self.assertEqual(cm.exception.response["resourceId"], "bt")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)

        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.describe_repository(domain="bt", repository="none")
        self.assertEqual(cm.exception.response["resourceType"], "repository")
        self.assertEqual(cm.exception.response["resourceId"], "none")

        with self.assertRaises(ca.exceptions.ValidationException) as cm:
            ca.get_authorization_token(domain="bt", durationSeconds=5)
        self.assertEqual(cm.exception.response["reason"], "FIELD_VALIDATION_FAILED")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.create_repository(domain="bt", repository="r" * 101)
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.list_domains(maxResults=1001)

        for i in range(5):
            ca.create_repository(domain="bt", repository=f"repo{i}", description=f"number {i}",
                                 upstreams=[{"repositoryName": f"repo{i - 1}"}] if i else [])
        pages = list(ca.get_paginator("list_repositories_in_domain").paginate(
            domain="bt", PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        self.assertEqual([r["name"] for p in pages for r in p["repositories"]], [f"repo{i}" for i in range(5)])
        page = ca.list_repositories_in_domain(domain="bt", maxResults=2)
        self.assertIn("nextToken", page)
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.list_repositories_in_domain(domain="bt", nextToken="not-a-token")

        r = ca.update_repository(domain="bt", repository="repo4", upstreams=[])["repository"]
        self.assertEqual(r["upstreams"], [])
        r = ca.update_repository(domain="bt", repository="repo4", description="changed")["repository"]
        self.assertEqual(r["description"], "changed")

        arn = ca.describe_domain(domain="bt")["domain"]["arn"]
        self.assertEqual(ca.list_tags_for_resource(resourceArn=arn)["tags"], [{"key": "a", "value": "b"}])
        ca.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(ca.list_tags_for_resource(resourceArn=arn)["tags"], [])

        domains = [d["name"] for p in ca.get_paginator("list_domains").paginate(PaginationConfig={"PageSize": 1})
                   for d in p["domains"]]
        self.assertIn("bt", domains)
        tok = ca.get_authorization_token(domain="bt", durationSeconds=0)
        self.assertIsInstance(tok["expiration"], datetime.datetime)
        ep = ca.get_repository_endpoint(domain="bt", repository="repo1", format="pypi")["repositoryEndpoint"]
        self.assertTrue(ep.endswith(f"/bt-{self.arca.account}/pypi/repo1/"))


if __name__ == "__main__":
    main()
