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

    def test_remaining_operations(self):
        """Every other foundation operation once through boto3, with its response shape."""
        ca = self.arca.client()
        ca.create_domain(domain="bt2")
        pol = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"codeartifact:Describe*","Resource":"*"}]}'
        put = ca.put_domain_permissions_policy(domain="bt2", policyDocument=pol)["policy"]
        self.assertEqual(ca.get_domain_permissions_policy(domain="bt2")["policy"]["revision"], put["revision"])
        with self.assertRaises(ca.exceptions.ConflictException):
            ca.delete_domain_permissions_policy(domain="bt2", policyRevision="other")
        self.assertEqual(ca.delete_domain_permissions_policy(domain="bt2")["policy"]["document"], pol)

        r = ca.create_repository(domain="bt2", repository="store", tags=[{"key": "k", "value": "v"}])["repository"]
        self.assertEqual(ca.describe_repository(domain="bt2", repository="store")["repository"]["arn"], r["arn"])
        ext = ca.associate_external_connection(domain="bt2", repository="store",
                                               externalConnection="public:pypi")["repository"]
        self.assertEqual(ext["externalConnections"][0]["packageFormat"], "pypi")
        self.assertEqual(ca.disassociate_external_connection(domain="bt2", repository="store",
                                                             externalConnection="public:pypi")
                         ["repository"]["externalConnections"], [])
        rp = ca.put_repository_permissions_policy(domain="bt2", repository="store", policyDocument=pol)["policy"]
        self.assertEqual(rp["resourceArn"], r["arn"])
        self.assertEqual(ca.get_repository_permissions_policy(domain="bt2", repository="store")["policy"]["document"],
                         pol)
        ca.delete_repository_permissions_policy(domain="bt2", repository="store", policyRevision=rp["revision"])
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.get_repository_permissions_policy(domain="bt2", repository="store")
        ca.tag_resource(resourceArn=r["arn"], tags=[{"key": "k2", "value": "v2"}])
        self.assertEqual(len(ca.list_tags_for_resource(resourceArn=r["arn"])["tags"]), 2)
        names = [x["name"] for p in ca.get_paginator("list_repositories").paginate() for x in p["repositories"]]
        self.assertIn("store", names)
        with self.assertRaises(ca.exceptions.ConflictException):
            ca.delete_domain(domain="bt2")
        self.assertEqual(ca.delete_repository(domain="bt2", repository="store")["repository"]["name"], "store")
        self.assertEqual(ca.list_repositories_in_domain(domain="bt2")["repositories"], [])
        self.assertEqual(ca.delete_domain(domain="bt2")["domain"]["status"], "Deleted")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.describe_domain(domain="bt2")


if __name__ == "__main__":
    main()
