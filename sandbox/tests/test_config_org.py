"""AWS Config's organization-wide operations (`posture_sandbox/config_org.py`), asked through botocore
of an in-process sandbox whose app routes `config` to the extension before moto (as app.py will):
aggregator source statuses, organization Config rules and conformance packs as the management
account, the Config delegated administrator, a member and an account outside any organization."""

import logging
import threading
import unittest
from datetime import datetime
from typing import Any

import botocore.exceptions
import botocore.session
from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import make_server

from posture_sandbox import config_org, wire
from posture_sandbox.app import SandboxApp
from posture_sandbox.config_org import ConfigOrg

MANAGEMENT = "123456789012"
STATIC_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None)
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/config.amazonaws.com/AWSConfigRoleForOrganizations"
MANAGED_RULE = {"RuleIdentifier": "S3_BUCKET_PUBLIC_READ_PROHIBITED", "Description": "no public buckets"}
TEMPLATE = "Resources:\n  Rule:\n    Type: AWS::Config::ConfigRule\n"


class App(SandboxApp):
    """The sandbox with Config's organization operations routed to the extension first, as app.py's
    `extension_response` will."""

    def __init__(self):
        super().__init__()
        self.config_org = ConfigOrg()

    def extension_response(self, request: wire.AwsRequest, account_id: str):
        if request.service == "config":
            answer = self.config_org.handle(request, account_id)
            if answer is not None:
                return answer
        return super().extension_response(request, account_id)

    def reset(self) -> None:
        super().reset()
        self.config_org.reset()


_session = botocore.session.get_session()
_running: dict[str, Any] = {}


def setUpModule() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = App()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _running.update(app=app, server=server, endpoint=f"http://127.0.0.1:{server.server_port}")


def tearDownModule() -> None:
    _running.pop("server").shutdown()
    _running.clear()


def app() -> App:
    return _running["app"]


def client(service: str, credentials=STATIC_KEY, region: str = REGION):
    key, secret, token = credentials
    return _session.create_client(service, region_name=region, endpoint_url=_running["endpoint"],
                                  aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


def member(account_id: str) -> tuple[str, str, str]:
    answer = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                                       RoleSessionName="test")["Credentials"]
    return answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"]


class Organization(unittest.TestCase):
    """A fresh all-features organization: the management account, the Config delegated administrator
    (`audit`, for rules and packs and for aggregators) and two workload accounts, per test."""

    def setUp(self) -> None:
        app().reset()
        self.organizations = client("organizations")
        self.organizations.create_organization(FeatureSet="ALL")
        self.audit, self.workload_a, self.workload_b = (self.create_account(n) for n in ("audit", "wa", "wb"))
        for principal in (config_org.MULTI_ACCOUNT_PRINCIPAL, config_org.AGGREGATOR_PRINCIPAL):
            self.organizations.enable_aws_service_access(ServicePrincipal=principal)
            self.organizations.register_delegated_administrator(AccountId=self.audit, ServicePrincipal=principal)
        self.accounts = sorted([MANAGEMENT, self.audit, self.workload_a, self.workload_b])
        self.config = client("config")
        self.admin_config = client("config", member(self.audit))
        self.member_config = client("config", member(self.workload_a))

    def create_account(self, name: str) -> str:
        status = self.organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        return status["CreateAccountStatus"]["AccountId"]

    def assert_refused(self, call, code: str, **params) -> dict:
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(**params)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 400)
        return error["Error"]


class AggregatorSources(Organization):
    def organization_aggregator(self, config=None, name: str = "org", **source: Any) -> None:
        (config or self.config).put_configuration_aggregator(
            ConfigurationAggregatorName=name,
            OrganizationAggregationSource={"RoleArn": ROLE, **(source or {"AwsRegions": [REGION, "eu-west-1"]})})

    def statuses(self, config=None, name: str = "org", **params: Any) -> list[dict]:
        answer = (config or self.config).describe_configuration_aggregator_sources_status(
            ConfigurationAggregatorName=name, **params)
        return answer["AggregatedSourceStatusList"]

    def test_an_organization_aggregator_has_a_source_per_account_and_region(self):
        self.organization_aggregator()
        sources = self.statuses()
        self.assertEqual([(s["SourceId"], s["AwsRegion"]) for s in sources],
                         [(a, r) for a in self.accounts for r in ("eu-west-1", REGION)])
        self.assertTrue(all(s["SourceType"] == "ORGANIZATION" and s["LastUpdateStatus"] == "SUCCEEDED"
                            for s in sources))
        self.assertIsInstance(sources[0]["LastUpdateTime"], datetime)
        self.assertNotIn("LastErrorCode", sources[0])

    def test_all_regions_page(self):
        self.organization_aggregator(AllAwsRegions=True)
        regions = config_org.config_regions()
        seen, token, pages = [], None, 0
        while True:
            answer = self.config.describe_configuration_aggregator_sources_status(
                ConfigurationAggregatorName="org", Limit=50, **({"NextToken": token} if token else {}))
            seen += answer["AggregatedSourceStatusList"]
            pages += 1
            token = answer.get("NextToken")
            if not token:
                break
        self.assertEqual(len(seen), len(self.accounts) * len(regions))
        self.assertEqual(pages, -(-len(seen) // 50))
        self.assertEqual(len(self.statuses()), 100)  # the default page is the maximum
        self.assert_refused(self.config.describe_configuration_aggregator_sources_status, "InvalidLimitException",
                            ConfigurationAggregatorName="org", Limit=101)
        self.assert_refused(self.config.describe_configuration_aggregator_sources_status,
                            "InvalidNextTokenException", ConfigurationAggregatorName="org", NextToken="nope")

    def test_a_failed_source(self):
        self.organization_aggregator()
        app().config_org.source_status_admin({"account_id": self.workload_b, "region": "eu-west-1",
                                              "status": "FAILED", "error_code": "OrganizationAccessDeniedException",
                                              "error_message": "Config is not enabled"})
        [failed] = self.statuses(UpdateStatus=["FAILED"])
        self.assertEqual((failed["SourceId"], failed["AwsRegion"], failed["LastErrorCode"], failed["LastErrorMessage"]),
                         (self.workload_b, "eu-west-1", "OrganizationAccessDeniedException", "Config is not enabled"))
        self.assertEqual(len(self.statuses(UpdateStatus=["SUCCEEDED"])), 2 * len(self.accounts) - 1)
        app().config_org.set_source_status(self.workload_b, "eu-west-1", "SUCCEEDED")
        self.assertEqual(self.statuses(UpdateStatus=["FAILED"]), [])
        for bad in ({"account_id": "1", "region": REGION, "status": "FAILED"},
                    {"account_id": self.audit, "region": "mars-1", "status": "FAILED"},
                    {"account_id": self.audit, "region": REGION, "status": "BROKEN"}):
            with self.assertRaises(ValueError):
                app().config_org.source_status_admin(bad)
        with self.assertRaises(KeyError):
            app().config_org.source_status_admin({"region": REGION})

    def test_an_unknown_aggregator(self):
        self.organization_aggregator()
        self.assert_refused(self.config.describe_configuration_aggregator_sources_status,
                            "NoSuchConfigurationAggregatorException", ConfigurationAggregatorName="other")
        self.assert_refused(client("config", region="eu-west-1").describe_configuration_aggregator_sources_status,
                            "NoSuchConfigurationAggregatorException", ConfigurationAggregatorName="org")

    def test_account_sources_need_an_authorization(self):
        self.config.put_configuration_aggregator(
            ConfigurationAggregatorName="accounts",
            AccountAggregationSources=[{"AccountIds": [MANAGEMENT, self.workload_a], "AwsRegions": [REGION]}])
        sources = {s["SourceId"]: s for s in self.statuses(name="accounts")}
        self.assertEqual(sources[MANAGEMENT]["LastUpdateStatus"], "SUCCEEDED")
        self.assertEqual(sources[self.workload_a]["SourceType"], "ACCOUNT")
        self.assertEqual((sources[self.workload_a]["LastUpdateStatus"], sources[self.workload_a]["LastErrorCode"]),
                         ("FAILED", "AuthorizationNotFoundException"))
        self.member_config.put_aggregation_authorization(AuthorizedAccountId=MANAGEMENT, AuthorizedAwsRegion=REGION)
        self.assertEqual({s["LastUpdateStatus"] for s in self.statuses(name="accounts")}, {"SUCCEEDED"})

    def test_only_config_administrators_aggregate_the_organization(self):
        self.assert_refused(self.organization_aggregator, "OrganizationAccessDeniedException",
                            config=self.member_config)
        self.organization_aggregator(config=self.admin_config)
        self.assertEqual(len(self.statuses(config=self.admin_config)), 2 * len(self.accounts))
        # An account aggregator is anyone's (moto answers it).
        self.member_config.put_configuration_aggregator(
            ConfigurationAggregatorName="mine", AccountAggregationSources=[{"AccountIds": [self.workload_a],
                                                                             "AllAwsRegions": True}])
        self.assertEqual(self.member_config.describe_configuration_aggregators()["ConfigurationAggregators"][0]
                         ["ConfigurationAggregatorName"], "mine")


class OrganizationRules(Organization):
    def put(self, config=None, name: str = "s3-public", **params: Any) -> str:
        params = params or {"OrganizationManagedRuleMetadata": MANAGED_RULE}
        return (config or self.config).put_organization_config_rule(OrganizationConfigRuleName=name,
                                                                    **params)["OrganizationConfigRuleArn"]

    def rules(self, config=None, **params: Any) -> list[dict]:
        return (config or self.config).describe_organization_config_rules(**params)["OrganizationConfigRules"]

    def test_put_and_describe(self):
        arn = self.put(ExcludedAccounts=[self.workload_b], OrganizationManagedRuleMetadata=MANAGED_RULE)
        self.assertRegex(arn, rf"^arn:aws:config:{REGION}:{MANAGEMENT}:organization-config-rule/"
                              r"s3-public-[a-z0-9]{8}$")
        [rule] = self.rules()
        self.assertEqual(rule["OrganizationConfigRuleName"], "s3-public")
        self.assertEqual(rule["OrganizationConfigRuleArn"], arn)
        self.assertEqual(rule["OrganizationManagedRuleMetadata"], MANAGED_RULE)
        self.assertEqual(rule["ExcludedAccounts"], [self.workload_b])
        self.assertIsInstance(rule["LastUpdateTime"], datetime)
        self.assertEqual(self.rules(OrganizationConfigRuleNames=["s3-public"]), [rule])
        self.assertEqual(self.rules(config=client("config", region="eu-west-1")), [])
        services = self.organizations.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
        self.assertIn(config_org.MULTI_ACCOUNT_PRINCIPAL, [s["ServicePrincipal"] for s in services])

    def test_each_deployer_sees_its_own_rules(self):
        self.put(name="from-management")
        self.put(config=self.admin_config, name="from-admin")
        self.assertEqual([r["OrganizationConfigRuleName"] for r in self.rules()], ["from-management"])
        self.assertEqual([r["OrganizationConfigRuleName"] for r in self.rules(config=self.admin_config)],
                         ["from-admin"])
        self.assert_refused(self.admin_config.describe_organization_config_rules,
                            "NoSuchOrganizationConfigRuleException", OrganizationConfigRuleNames=["from-management"])

    def test_members_and_strangers_are_refused(self):
        self.put()
        for call in (self.member_config.describe_organization_config_rules,
                     self.member_config.describe_organization_config_rule_statuses):
            self.assert_refused(call, "OrganizationAccessDeniedException")
        self.assert_refused(self.put, "OrganizationAccessDeniedException", config=self.member_config)
        app().reset()
        self.assert_refused(self.put, "NoAvailableOrganizationException")
        self.assert_refused(self.config.describe_organization_config_rules, "OrganizationAccessDeniedException")
        client("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")
        self.assert_refused(self.put, "OrganizationAllFeaturesNotEnabledException")

    def test_invalid_rules_are_refused(self):
        self.assert_refused(self.put, "ValidationException", name="bad name!")
        self.assert_refused(self.put, "ValidationException",
                            OrganizationManagedRuleMetadata=MANAGED_RULE,
                            OrganizationCustomRuleMetadata={
                                "LambdaFunctionArn": "arn:aws:lambda:x",
                                "OrganizationConfigRuleTriggerTypes": ["ScheduledNotification"]})
        self.assert_refused(self.put, "ValidationException", ExcludedAccounts=["12"],
                            OrganizationManagedRuleMetadata=MANAGED_RULE)

    def test_pages_and_unknown_names(self):
        for name in ("c-rule", "a-rule", "b-rule"):
            self.put(name=name)
        first = self.config.describe_organization_config_rules(Limit=2)
        self.assertEqual([r["OrganizationConfigRuleName"] for r in first["OrganizationConfigRules"]],
                         ["a-rule", "b-rule"])
        rest = self.config.describe_organization_config_rules(Limit=2, NextToken=first["NextToken"])
        self.assertEqual([r["OrganizationConfigRuleName"] for r in rest["OrganizationConfigRules"]], ["c-rule"])
        self.assertNotIn("NextToken", rest)
        # With names, Limit and NextToken do not apply.
        named = self.config.describe_organization_config_rules(OrganizationConfigRuleNames=["c-rule", "a-rule"],
                                                               Limit=1)
        self.assertEqual([r["OrganizationConfigRuleName"] for r in named["OrganizationConfigRules"]],
                         ["c-rule", "a-rule"])
        self.assert_refused(self.config.describe_organization_config_rules, "NoSuchOrganizationConfigRuleException",
                            OrganizationConfigRuleNames=["a-rule", "missing"])
        self.assert_refused(self.config.describe_organization_config_rules, "InvalidLimitException", Limit=101)
        self.assert_refused(self.config.describe_organization_config_rules, "InvalidNextTokenException",
                            NextToken="!!")

    def test_statuses(self):
        self.put(ExcludedAccounts=[self.workload_b], OrganizationManagedRuleMetadata=MANAGED_RULE)
        [status] = self.config.describe_organization_config_rule_statuses()["OrganizationConfigRuleStatuses"]
        self.assertEqual(status["OrganizationRuleStatus"], "CREATE_SUCCESSFUL")
        detailed = self.config.get_organization_config_rule_detailed_status(
            OrganizationConfigRuleName="s3-public")["OrganizationConfigRuleDetailedStatus"]
        self.assertEqual([m["AccountId"] for m in detailed], sorted([MANAGEMENT, self.audit, self.workload_a]))
        self.assertTrue(all(m["ConfigRuleName"].startswith("OrgConfigRule-s3-public-") for m in detailed))
        self.assertEqual({m["MemberAccountRuleStatus"] for m in detailed}, {"CREATE_SUCCESSFUL"})
        self.put()  # a second Put updates it, now everywhere
        filtered = self.config.get_organization_config_rule_detailed_status(
            OrganizationConfigRuleName="s3-public", Filters={"AccountId": self.workload_b})
        self.assertEqual([(m["AccountId"], m["MemberAccountRuleStatus"])
                          for m in filtered["OrganizationConfigRuleDetailedStatus"]],
                         [(self.workload_b, "UPDATE_SUCCESSFUL")])
        self.assert_refused(self.config.get_organization_config_rule_detailed_status,
                            "NoSuchOrganizationConfigRuleException", OrganizationConfigRuleName="missing")

    def test_custom_rules(self):
        self.put(name="lambda", OrganizationCustomRuleMetadata={
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:check",
            "OrganizationConfigRuleTriggerTypes": ["ScheduledNotification"], "MaximumExecutionFrequency": "One_Hour"})
        self.put(name="guard", OrganizationCustomPolicyRuleMetadata={
            "PolicyRuntime": "guard-2.x.x", "PolicyText": "rule x { }", "ResourceTypesScope": ["AWS::S3::Bucket"]})
        rules = {r["OrganizationConfigRuleName"]: r for r in self.rules()}
        self.assertEqual(rules["guard"]["OrganizationCustomPolicyRuleMetadata"],
                         {"PolicyRuntime": "guard-2.x.x", "ResourceTypesScope": ["AWS::S3::Bucket"]})
        self.assertEqual(rules["lambda"]["OrganizationCustomRuleMetadata"]["MaximumExecutionFrequency"], "One_Hour")

    def test_delete(self):
        self.put()
        self.config.delete_organization_config_rule(OrganizationConfigRuleName="s3-public")
        self.assertEqual(self.rules(), [])
        self.assert_refused(self.config.delete_organization_config_rule, "NoSuchOrganizationConfigRuleException",
                            OrganizationConfigRuleName="s3-public")

    def test_arns_are_the_same_on_every_run(self):
        def run() -> list[str]:
            self.setUp()
            return [self.put(), self.put(config=self.admin_config, name="other")]

        first, second = run(), run()
        self.assertEqual([arn.rsplit("-", 1)[1] for arn in first], [arn.rsplit("-", 1)[1] for arn in second])


class OrganizationConformancePacks(Organization):
    def put(self, config=None, name: str = "operational-best-practices", **params: Any) -> str:
        answer = (config or self.admin_config).put_organization_conformance_pack(
            OrganizationConformancePackName=name, **(params or {"TemplateBody": TEMPLATE}))
        return answer["OrganizationConformancePackArn"]

    def packs(self, config=None, **params: Any) -> list[dict]:
        answer = (config or self.admin_config).describe_organization_conformance_packs(**params)
        return answer["OrganizationConformancePacks"]

    def test_the_delegated_administrator_deploys_and_lists_without_names(self):
        arn = self.put(TemplateS3Uri="s3://templates/pack.yaml", DeliveryS3Bucket="awsconfigconforms-org",
                       ConformancePackInputParameters=[{"ParameterName": "p", "ParameterValue": "v"}])
        self.assertRegex(arn, rf"^arn:aws:config:{REGION}:{self.audit}:organization-conformance-pack/"
                              r"operational-best-practices-[a-z0-9]{8}$")
        [pack] = self.packs()  # moto answers 500 here
        self.assertEqual(pack["OrganizationConformancePackArn"], arn)
        self.assertEqual(pack["DeliveryS3Bucket"], "awsconfigconforms-org")
        self.assertEqual(pack["ConformancePackInputParameters"], [{"ParameterName": "p", "ParameterValue": "v"}])
        self.assertEqual(pack["ExcludedAccounts"], [])
        self.assertIsInstance(pack["LastUpdateTime"], datetime)
        self.assertEqual(self.packs(config=self.config), [])  # the management account sees its own only

    def test_statuses_and_detailed_status(self):
        self.put(ExcludedAccounts=[MANAGEMENT], TemplateBody=TEMPLATE)
        [status] = self.admin_config.describe_organization_conformance_pack_statuses()[
            "OrganizationConformancePackStatuses"]
        self.assertEqual((status["OrganizationConformancePackName"], status["Status"]),
                         ("operational-best-practices", "CREATE_SUCCESSFUL"))
        detailed = self.admin_config.get_organization_conformance_pack_detailed_status(
            OrganizationConformancePackName="operational-best-practices")["OrganizationConformancePackDetailedStatuses"]
        self.assertEqual([m["AccountId"] for m in detailed], sorted([self.audit, self.workload_a, self.workload_b]))
        self.assertTrue(all(m["ConformancePackName"].startswith("OrgConformsPack-operational-best-practices-")
                            for m in detailed))
        paged = self.admin_config.get_organization_conformance_pack_detailed_status(
            OrganizationConformancePackName="operational-best-practices", Limit=2)
        self.assertEqual(len(paged["OrganizationConformancePackDetailedStatuses"]), 2)
        self.assertIn("NextToken", paged)

    def test_pages(self):
        for n in range(3):
            self.put(name=f"pack-{n}")
        first = self.admin_config.describe_organization_conformance_packs(Limit=2)
        rest = self.admin_config.describe_organization_conformance_packs(Limit=2, NextToken=first["NextToken"])
        self.assertEqual([p["OrganizationConformancePackName"] for p in first["OrganizationConformancePacks"]
                          + rest["OrganizationConformancePacks"]], ["pack-0", "pack-1", "pack-2"])
        self.assert_refused(self.admin_config.describe_organization_conformance_packs,
                            "NoSuchOrganizationConformancePackException", OrganizationConformancePackNames=["nope"])

    def test_refusals(self):
        self.assert_refused(self.put, "OrganizationAccessDeniedException", config=self.member_config)
        self.assert_refused(self.member_config.describe_organization_conformance_packs,
                            "OrganizationAccessDeniedException")
        self.assert_refused(self.put, "ValidationException", DeliveryS3Bucket="my-bucket", TemplateBody=TEMPLATE)
        self.assert_refused(self.put, "ValidationException", TemplateS3Uri="https://example.com/t.yaml")

    def test_delete(self):
        self.put()
        self.admin_config.delete_organization_conformance_pack(OrganizationConformancePackName="operational-best-practices")
        self.assertEqual(self.packs(), [])
        self.assert_refused(self.admin_config.delete_organization_conformance_pack,
                            "NoSuchOrganizationConformancePackException",
                            OrganizationConformancePackName="operational-best-practices")

    def test_an_update_keeps_the_arn(self):
        arn = self.put()
        self.assertEqual(self.put(TemplateBody=TEMPLATE, ExcludedAccounts=[self.workload_b]), arn)
        [status] = self.admin_config.describe_organization_conformance_pack_statuses(
            OrganizationConformancePackNames=["operational-best-practices"])["OrganizationConformancePackStatuses"]
        self.assertEqual(status["Status"], "UPDATE_SUCCESSFUL")

    def test_other_config_operations_are_moto_s(self):
        request = wire.AwsRequest(service="config", action="DescribeConfigRules", region=REGION, access_key="",
                                  protocol="json", method="POST", path="/", query={}, body=b"{}")
        self.assertIsNone(app().config_org.handle(request, MANAGEMENT))
        self.assertEqual(self.config.describe_config_rules()["ConfigRules"], [])

    def test_reset_forgets_everything(self):
        self.put()
        app().config_org.set_source_status(self.audit, REGION, "FAILED")
        app().reset()
        self.assertEqual((app().config_org.packs, app().config_org.source_overrides), ({}, {}))


if __name__ == "__main__":
    unittest.main()
