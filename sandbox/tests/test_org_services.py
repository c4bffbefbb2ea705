"""The organization's security services as the sandbox answers them where moto does not, asked
through botocore of an in-process sandbox: administrators designated through the services' own
APIs and registered with Organizations, Organizations' pages, Macie's default, S3's refusals to
other accounts, GuardDuty's organization configuration and members, and Security Hub's central
configuration."""

import json
import unittest

import botocore.exceptions

from posture_sandbox import enforce, guardduty_org, wire
from tests import in_process
from tests.in_process import MANAGEMENT, REGION, client

OTHER_REGION = "eu-west-1"


def setUpModule() -> None:
    in_process.start()


def tearDownModule() -> None:
    in_process.stop()


class Organization(unittest.TestCase):
    """A fresh sandbox with an all-features organization and three members, per test."""

    def setUp(self) -> None:
        in_process.app().reset()
        self.organizations = client("organizations")
        self.organization = self.organizations.create_organization(FeatureSet="ALL")["Organization"]
        self.root_id = self.organizations.list_roots()["Roots"][0]["Id"]
        self.audit, self.logs, self.workload = (self.create_account(name) for name in ("audit", "logs", "workload"))

    def create_account(self, name: str) -> str:
        status = self.organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        return status["CreateAccountStatus"]["AccountId"]

    def member(self, account_id: str) -> tuple[str, str, str]:
        return in_process.member(account_id)

    def assert_refused(self, call, code: str, status: int, **params) -> dict:
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(**params)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status)
        return error["Error"]

    def delegated(self) -> dict[str, list[str]]:
        """Organizations' delegated administrators: account -> its services, through every page."""
        answer = {}
        for page in self.organizations.get_paginator("list_delegated_administrators").paginate():
            for admin in page["DelegatedAdministrators"]:
                services = self.organizations.list_delegated_services_for_account(AccountId=admin["Id"])
                answer[admin["Id"]] = sorted(s["ServicePrincipal"] for s in services["DelegatedServices"])
        return answer

    def trusted(self) -> list[str]:
        return [s["ServicePrincipal"]
                for page in self.organizations.get_paginator("list_aws_service_access_for_organization").paginate()
                for s in page["EnabledServicePrincipals"]]


class ServiceAdministrators(Organization):
    def test_inspector_designation_registers_with_organizations_and_enables_trusted_access(self):
        client("inspector2").enable_delegated_admin_account(delegatedAdminAccountId=self.audit)
        self.assertEqual(self.delegated(), {self.audit: ["inspector2.amazonaws.com"]})
        self.assertEqual(self.trusted(), ["inspector2.amazonaws.com"])
        listed = client("inspector2").list_delegated_admin_accounts()["delegatedAdminAccounts"]
        self.assertEqual([a["accountId"] for a in listed], [self.audit])
        client("inspector2").disable_delegated_admin_account(delegatedAdminAccountId=self.audit)
        self.assertEqual(self.delegated(), {})

    def test_macie_designation_registers_with_organizations_and_enables_trusted_access(self):
        client("macie2").enable_organization_admin_account(adminAccountId=self.logs)
        self.assertEqual(self.delegated(), {self.logs: ["macie.amazonaws.com"]})
        self.assertEqual(self.trusted(), ["macie.amazonaws.com"])

    def test_guardduty_registers_a_member_but_not_the_management_account(self):
        guardduty = client("guardduty")
        guardduty.enable_organization_admin_account(AdminAccountId=MANAGEMENT)
        self.assertEqual(self.delegated(), {})
        self.assertEqual(self.trusted(), ["guardduty.amazonaws.com"])
        guardduty.enable_organization_admin_account(AdminAccountId=MANAGEMENT)  # again: still listed once
        self.assertEqual(guardduty.list_organization_admin_accounts()["AdminAccounts"],
                         [{"AdminAccountId": MANAGEMENT, "AdminStatus": "ENABLED"}])
        client("guardduty", region=OTHER_REGION).enable_organization_admin_account(AdminAccountId=self.audit)
        self.assertEqual(self.delegated(), {self.audit: ["guardduty.amazonaws.com"]})

    def test_security_hub_designation_enables_trusted_access_too(self):
        client("securityhub").enable_organization_admin_account(AdminAccountId=self.audit)
        self.assertEqual(self.delegated(), {self.audit: ["securityhub.amazonaws.com"]})
        self.assertEqual(self.trusted(), ["securityhub.amazonaws.com"])

    def test_a_member_designating_changes_nothing_in_organizations(self):
        client("inspector2", self.member(self.workload)).enable_delegated_admin_account(
            delegatedAdminAccountId=self.audit)
        self.assertEqual(self.delegated(), {})
        self.assertEqual(self.trusted(), [])

    def test_detective_firewall_manager_and_stacksets_register_through_organizations(self):
        for principal in ("detective.amazonaws.com", "fms.amazonaws.com",
                          "member.org.stacksets.cloudformation.amazonaws.com"):
            self.organizations.enable_aws_service_access(ServicePrincipal=principal)
            self.organizations.register_delegated_administrator(AccountId=self.audit, ServicePrincipal=principal)
        self.organizations.enable_aws_service_access(ServicePrincipal="backup.amazonaws.com")
        self.assertEqual(self.delegated(), {self.audit: ["detective.amazonaws.com", "fms.amazonaws.com",
                                                         "member.org.stacksets.cloudformation.amazonaws.com"]})
        self.assertIn("backup.amazonaws.com", self.trusted())

    def test_detective_and_firewall_manager_apis_are_refused_not_500(self):
        # moto has neither service; the sandbox does not model their own admin APIs.
        for service, call in (("detective", "list_organization_admin_accounts"),
                              ("fms", "list_admin_accounts_for_organization")):
            with self.subTest(service=service), self.assertRaises(botocore.exceptions.ClientError) as caught:
                getattr(client(service), call)()
            self.assertLess(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)


class OrganizationsPages(Organization):
    PRINCIPALS = ("securityhub.amazonaws.com", "guardduty.amazonaws.com", "access-analyzer.amazonaws.com",
                  "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "inspector2.amazonaws.com",
                  "macie.amazonaws.com", "detective.amazonaws.com", "fms.amazonaws.com",
                  "member.org.stacksets.cloudformation.amazonaws.com", "backup.amazonaws.com",
                  "sso.amazonaws.com", "cloudtrail.amazonaws.com", "ram.amazonaws.com", "ssm.amazonaws.com",
                  "servicecatalog.amazonaws.com", "tagpolicies.tag.amazonaws.com", "account.amazonaws.com",
                  "health.amazonaws.com", "ipam.amazonaws.com", "securitylake.amazonaws.com",
                  "controltower.amazonaws.com")

    def test_service_access_pages_at_twenty_and_as_asked(self):
        for principal in self.PRINCIPALS:
            self.organizations.enable_aws_service_access(ServicePrincipal=principal)
        first = self.organizations.list_aws_service_access_for_organization()
        self.assertEqual(len(first["EnabledServicePrincipals"]), 20)
        second = self.organizations.list_aws_service_access_for_organization(NextToken=first["NextToken"])
        self.assertEqual(len(second["EnabledServicePrincipals"]), len(self.PRINCIPALS) - 20)
        self.assertNotIn("NextToken", second)
        self.assertEqual(self.trusted(), list(self.PRINCIPALS))
        small = self.organizations.list_aws_service_access_for_organization(MaxResults=3)
        self.assertEqual([s["ServicePrincipal"] for s in small["EnabledServicePrincipals"]], list(self.PRINCIPALS[:3]))

    def test_a_page_above_twenty_or_a_foreign_token_is_refused(self):
        self.assert_refused(self.organizations.list_aws_service_access_for_organization, "InvalidInputException",
                            400, MaxResults=21)
        self.assert_refused(self.organizations.list_delegated_administrators, "InvalidInputException", 400,
                            NextToken="not-a-token")

    def test_delegated_administrators_page_and_filter(self):
        accounts = [self.create_account(f"extra-{n}") for n in range(20)]
        for account in accounts:
            self.organizations.register_delegated_administrator(AccountId=account,
                                                                ServicePrincipal="fms.amazonaws.com")
        self.organizations.register_delegated_administrator(AccountId=self.audit,
                                                            ServicePrincipal="detective.amazonaws.com")
        first = self.organizations.list_delegated_administrators()
        self.assertEqual(len(first["DelegatedAdministrators"]), 20)
        self.assertIn("NextToken", first)
        self.assertEqual(sorted(self.delegated()), sorted([*accounts, self.audit]))
        detective = self.organizations.list_delegated_administrators(ServicePrincipal="detective.amazonaws.com")
        self.assertEqual([a["Id"] for a in detective["DelegatedAdministrators"]], [self.audit])

    def test_a_delegated_administrator_reads_the_lists_too(self):
        client("inspector2").enable_delegated_admin_account(delegatedAdminAccountId=self.audit)
        orgs = client("organizations", self.member(self.audit))
        listed = orgs.list_delegated_administrators()["DelegatedAdministrators"]
        self.assertEqual([a["Id"] for a in listed], [self.audit])
        self.assertEqual([s["ServicePrincipal"] for s in
                          orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]],
                         ["inspector2.amazonaws.com"])


class MacieSession(Organization):
    def test_macie_is_not_enabled_until_enabled(self):
        macie = client("macie2", self.member(self.logs))
        error = self.assert_refused(macie.get_macie_session, "AccessDeniedException", 403)
        self.assertEqual(error["Message"], "Macie is not enabled.")
        macie.enable_macie()
        self.assertEqual(macie.get_macie_session()["status"], "ENABLED")
        self.assert_refused(client("macie2", self.member(self.logs), OTHER_REGION).get_macie_session,
                            "AccessDeniedException", 403)
        macie.disable_macie()
        self.assert_refused(macie.get_macie_session, "AccessDeniedException", 403)


class BucketsOfAnotherAccount(Organization):
    """The log-archive account's bucket, read by its owner and by the management account."""

    BUCKET = "acme-org-cloudtrail-logs"

    def setUp(self) -> None:
        super().setUp()
        self.owner = client("s3", self.member(self.logs))
        self.owner.create_bucket(Bucket=self.BUCKET)
        self.put_policy([self.deny_delete()])

    def deny_delete(self) -> dict:
        return {"Sid": "DenyLogDeletionOutsideLogArchive", "Effect": "Deny", "Principal": "*",
                "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"], "Resource": f"arn:aws:s3:::{self.BUCKET}/*",
                "Condition": {"StringNotEquals": {"aws:PrincipalAccount": self.logs}}}

    def put_policy(self, statements: list[dict]) -> None:
        self.owner.put_bucket_policy(Bucket=self.BUCKET, Policy=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))

    def grant(self, action: str, principal) -> dict:
        return {"Effect": "Allow", "Principal": principal, "Action": action,
                "Resource": f"arn:aws:s3:::{self.BUCKET}"}

    def test_the_owner_reads_its_policy_and_no_object_lock(self):
        policy = json.loads(self.owner.get_bucket_policy(Bucket=self.BUCKET)["Policy"])
        self.assertEqual(policy["Statement"][0]["Sid"], "DenyLogDeletionOutsideLogArchive")
        self.assert_refused(self.owner.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError", 404,
                            Bucket=self.BUCKET)

    def test_another_accounts_root_user_is_refused_both(self):
        management = client("s3")
        self.assert_refused(management.get_bucket_policy, "AccessDenied", 403, Bucket=self.BUCKET)
        self.assert_refused(management.get_object_lock_configuration, "AccessDenied", 403, Bucket=self.BUCKET)
        self.assert_refused(client("s3", self.member(self.audit)).get_bucket_policy, "AccessDenied", 403,
                            Bucket=self.BUCKET)

    def test_granted_by_the_bucket_policy_the_policy_is_still_the_owners_only(self):
        self.put_policy([self.deny_delete(), self.grant("s3:GetBucketPolicy", {"AWS": MANAGEMENT}),
                         self.grant("s3:GetBucketObjectLockConfiguration",
                                    {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"})])
        management = client("s3")
        self.assert_refused(management.get_bucket_policy, "MethodNotAllowed", 405, Bucket=self.BUCKET)
        self.assert_refused(management.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError", 404,
                            Bucket=self.BUCKET)
        # The grant names the management account, not the audit account.
        self.assert_refused(client("s3", self.member(self.audit)).get_object_lock_configuration, "AccessDenied",
                            403, Bucket=self.BUCKET)

    def test_a_granted_reader_sees_the_lock_of_a_locked_bucket(self):
        self.owner.create_bucket(Bucket="locked-logs", ObjectLockEnabledForBucket=True)
        self.owner.put_bucket_policy(Bucket="locked-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetBucket*", "Resource": "arn:aws:s3:::locked-logs",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": self.organization["Id"]}}}]}))
        answer = client("s3").get_object_lock_configuration(Bucket="locked-logs")
        self.assertEqual(answer["ObjectLockConfiguration"]["ObjectLockEnabled"], "Enabled")

    def test_a_deny_in_the_bucket_policy_wins_over_its_grant(self):
        self.put_policy([self.grant("s3:GetBucketObjectLockConfiguration", "*"),
                         {**self.grant("s3:GetBucketObjectLockConfiguration", "*"), "Effect": "Deny",
                          "Condition": {"StringEquals": {"aws:PrincipalAccount": MANAGEMENT}}}])
        self.assert_refused(client("s3").get_object_lock_configuration, "AccessDenied", 403, Bucket=self.BUCKET)
        self.assert_refused(client("s3", self.member(self.audit)).get_object_lock_configuration,
                            "ObjectLockConfigurationNotFoundError", 404, Bucket=self.BUCKET)

    def test_a_missing_bucket_is_still_no_such_bucket(self):
        self.assert_refused(client("s3").get_bucket_policy, "NoSuchBucket", 404, Bucket="no-such-bucket")

    def test_the_iam_actions_are_s3s(self):
        for operation, query, action in (("GetBucketPolicy", {"policy": ""}, "s3:GetBucketPolicy"),
                                         ("GetObjectLockConfiguration", {"object-lock": ""},
                                          "s3:GetBucketObjectLockConfiguration")):
            request = wire.AwsRequest(service="s3", action=operation, region=REGION, access_key="", protocol="rest-xml",
                                      method="GET", path=f"/{self.BUCKET}", query=query, body=b"")
            self.assertEqual(enforce.iam_action(request), action)


class GuardDutyOrganization(Organization):
    """GuardDuty administered by the audit account in the home Region."""

    def setUp(self) -> None:
        super().setUp()
        client("guardduty").enable_organization_admin_account(AdminAccountId=self.audit)
        self.admin = client("guardduty", self.member(self.audit))
        self.detector = self.admin.create_detector(Enable=True)["DetectorId"]
        self.workload_guardduty = client("guardduty", self.member(self.workload))
        self.workload_detector = self.workload_guardduty.create_detector(
            Enable=True, Features=[{"Name": "S3_DATA_EVENTS", "Status": "DISABLED"},
                                   {"Name": "RDS_LOGIN_EVENTS", "Status": "ENABLED"}])["DetectorId"]

    def configure(self, **settings) -> None:
        self.admin.update_organization_configuration(DetectorId=self.detector, **settings)

    def test_the_configuration_is_none_until_set(self):
        answer = self.admin.describe_organization_configuration(DetectorId=self.detector)
        self.assertEqual(answer["AutoEnableOrganizationMembers"], "NONE")
        self.assertFalse(answer["AutoEnable"])
        self.assertFalse(answer["MemberAccountLimitReached"])
        self.assertTrue(all(f["AutoEnable"] == "NONE" for f in answer["Features"]))

    def test_update_then_describe(self):
        self.configure(AutoEnableOrganizationMembers="NEW",
                       Features=[{"Name": "S3_DATA_EVENTS", "AutoEnable": "NEW"},
                                 {"Name": "RUNTIME_MONITORING", "AutoEnable": "ALL", "AdditionalConfiguration": [
                                     {"Name": "EKS_ADDON_MANAGEMENT", "AutoEnable": "NEW"}]}])
        answer = self.admin.describe_organization_configuration(DetectorId=self.detector)
        self.assertTrue(answer["AutoEnable"])
        self.assertEqual(answer["AutoEnableOrganizationMembers"], "NEW")
        features = {f["Name"]: f for f in answer["Features"]}
        self.assertEqual(features["S3_DATA_EVENTS"]["AutoEnable"], "NEW")
        self.assertEqual(features["EKS_AUDIT_LOGS"]["AutoEnable"], "NONE")
        extra = features["RUNTIME_MONITORING"]["AdditionalConfiguration"]
        self.assertEqual({c["Name"]: c["AutoEnable"] for c in extra},
                         {"EKS_ADDON_MANAGEMENT": "NEW", "ECS_FARGATE_AGENT_MANAGEMENT": "NONE",
                          "EC2_AGENT_MANAGEMENT": "NONE"})
        self.assertTrue(answer["DataSources"]["S3Logs"]["AutoEnable"])
        self.assertFalse(answer["DataSources"]["Kubernetes"]["AuditLogs"]["AutoEnable"])
        self.configure(AutoEnable=False)  # the deprecated switch
        self.assertEqual(self.admin.describe_organization_configuration(DetectorId=self.detector)
                         ["AutoEnableOrganizationMembers"], "NONE")

    def test_both_switches_or_neither_is_a_bad_request(self):
        self.assert_refused(self.admin.update_organization_configuration, "BadRequestException", 400,
                            DetectorId=self.detector, AutoEnable=True, AutoEnableOrganizationMembers="NEW")
        self.assert_refused(self.admin.update_organization_configuration, "BadRequestException", 400,
                            DetectorId=self.detector)

    def test_organization_members_are_enabled_at_once_with_the_auto_enabled_features(self):
        self.configure(AutoEnableOrganizationMembers="NEW",
                       Features=[{"Name": "S3_DATA_EVENTS", "AutoEnable": "NEW"},
                                 {"Name": "EKS_AUDIT_LOGS", "AutoEnable": "NEW"}])
        answer = self.admin.create_members(DetectorId=self.detector, AccountDetails=[
            {"AccountId": self.workload, "Email": "workload@example.com"},
            {"AccountId": "999988887777", "Email": "outsider@example.com"},
            {"AccountId": self.audit, "Email": "audit@example.com"}])
        self.assertEqual([u["AccountId"] for u in answer["UnprocessedAccounts"]], [self.audit])
        listed = self.admin.list_members(DetectorId=self.detector)["Members"]
        self.assertEqual([(m["AccountId"], m["RelationshipStatus"], m["AdministratorId"], m["DetectorId"])
                          for m in listed], [(self.workload, "Enabled", self.audit, self.workload_detector)])
        everyone = self.admin.list_members(DetectorId=self.detector, OnlyAssociated="false")["Members"]
        self.assertEqual({m["AccountId"]: m["RelationshipStatus"] for m in everyone},
                         {self.workload: "Enabled", "999988887777": "Created"})
        detectors = self.admin.get_member_detectors(DetectorId=self.detector,
                                                    AccountIds=[self.workload, self.logs, "999988887777"])
        [member] = detectors["MemberDataSourceConfigurations"]
        self.assertEqual(member["AccountId"], self.workload)
        self.assertEqual({f["Name"]: f["Status"] for f in member["Features"]},
                         {"S3_DATA_EVENTS": "ENABLED", "RDS_LOGIN_EVENTS": "ENABLED", "EKS_AUDIT_LOGS": "ENABLED"})
        self.assertIn("UpdatedAt", member["Features"][0])
        self.assertEqual(member["DataSources"]["S3Logs"]["Status"], "ENABLED")
        self.assertEqual(member["DataSources"]["CloudTrail"]["Status"], "ENABLED")
        self.assertEqual(sorted(u["AccountId"] for u in detectors["UnprocessedAccounts"]),
                         sorted([self.logs, "999988887777"]))

    def test_a_member_without_a_detector_gets_one(self):
        self.admin.create_members(DetectorId=self.detector,
                                  AccountDetails=[{"AccountId": self.logs, "Email": "logs@example.com"}])
        self.assertEqual(len(client("guardduty", self.member(self.logs)).list_detectors()["DetectorIds"]), 1)
        [member] = self.admin.get_member_detectors(DetectorId=self.detector,
                                                   AccountIds=[self.logs])["MemberDataSourceConfigurations"]
        self.assertEqual(member["Features"], [])

    def test_members_page_at_fifty(self):
        accounts = [self.create_account(f"extra-{n}") for n in range(52)]
        for start in (0, 50):
            self.admin.create_members(DetectorId=self.detector, AccountDetails=[
                {"AccountId": a, "Email": f"{a}@example.com"} for a in accounts[start:start + 50]])
        first = self.admin.list_members(DetectorId=self.detector)
        self.assertEqual(len(first["Members"]), 50)
        rest = self.admin.list_members(DetectorId=self.detector, NextToken=first["NextToken"])
        self.assertEqual(len(rest["Members"]), 2)
        self.assertNotIn("NextToken", rest)
        self.assert_refused(self.admin.list_members, "BadRequestException", 400, DetectorId=self.detector,
                            MaxResults=51)

    def test_an_account_that_joins_later_is_enrolled_when_auto_enable_says_new(self):
        self.configure(AutoEnableOrganizationMembers="NEW", Features=[{"Name": "S3_DATA_EVENTS", "AutoEnable": "NEW"}])
        joined = self.create_account("joined-later")
        [member] = self.admin.list_members(DetectorId=self.detector)["Members"]
        self.assertEqual((member["AccountId"], member["RelationshipStatus"]), (joined, "Enabled"))
        detector = client("guardduty", self.member(joined)).list_detectors()["DetectorIds"]
        self.assertEqual(len(detector), 1)
        self.configure(AutoEnableOrganizationMembers="ALL")
        members = {m["AccountId"] for m in self.admin.list_members(DetectorId=self.detector)["Members"]}
        self.assertEqual(members, {MANAGEMENT, self.logs, self.workload, joined})

    def test_disassociate_and_delete(self):
        self.admin.create_members(DetectorId=self.detector,
                                  AccountDetails=[{"AccountId": self.workload, "Email": "w@example.com"}])
        self.admin.disassociate_members(DetectorId=self.detector, AccountIds=[self.workload])
        self.assertEqual(self.admin.list_members(DetectorId=self.detector)["Members"], [])
        [removed] = self.admin.list_members(DetectorId=self.detector, OnlyAssociated="false")["Members"]
        self.assertEqual(removed["RelationshipStatus"], "Removed")
        answer = self.admin.delete_members(DetectorId=self.detector, AccountIds=[self.workload, self.logs])
        self.assertEqual([u["AccountId"] for u in answer["UnprocessedAccounts"]], [self.logs])
        self.assertEqual(self.admin.list_members(DetectorId=self.detector, OnlyAssociated="false")["Members"], [])

    def test_only_the_administrator_with_its_own_detector_may_call(self):
        error = self.assert_refused(self.workload_guardduty.list_members, "BadRequestException", 400,
                                    DetectorId=self.workload_detector)
        self.assertEqual(error["Message"],
                         "The request failed because you do not have required AWS Organization master permission.")
        management = client("guardduty")
        own = management.create_detector(Enable=True)["DetectorId"]
        self.assert_refused(management.describe_organization_configuration, "BadRequestException", 400,
                            DetectorId=own)
        for detector in (self.workload_detector, "0123456789abcdef0123456789abcdef"):
            error = self.assert_refused(self.admin.get_member_detectors, "BadRequestException", 400,
                                        DetectorId=detector, AccountIds=[self.workload])
            self.assertEqual(error["Message"], guardduty_org.NOT_OWNED)

    def test_another_region_has_its_own_administrator(self):
        admin_eu = client("guardduty", self.member(self.audit), OTHER_REGION)
        detector = admin_eu.create_detector(Enable=True)["DetectorId"]
        self.assert_refused(admin_eu.list_members, "BadRequestException", 400, DetectorId=detector)
        client("guardduty", region=OTHER_REGION).enable_organization_admin_account(AdminAccountId=self.audit)
        self.admin.create_members(DetectorId=self.detector,
                                  AccountDetails=[{"AccountId": self.workload, "Email": "w@example.com"}])
        self.assertEqual(admin_eu.list_members(DetectorId=detector)["Members"], [])

    def test_reset_forgets_the_members(self):
        self.admin.create_members(DetectorId=self.detector,
                                  AccountDetails=[{"AccountId": self.workload, "Email": "w@example.com"}])
        in_process.app().reset()
        self.assertEqual(in_process.app().guardduty_org.members, {})

    def test_the_iam_actions_are_guarddutys_and_unknown_operations_are_refused(self):
        for method, path, action in (("GET", "/detector/abc/admin", "DescribeOrganizationConfiguration"),
                                     ("GET", "/detector/abc/member", "ListMembers"),
                                     ("POST", "/detector/abc/member/detector/get", "GetMemberDetectors")):
            request = wire.AwsRequest(service="guardduty", action="", region=REGION, access_key="",
                                      protocol="rest-json", method=method, path=path, query={}, body=b"")
            request.action = wire.find_action(request, {}, wire.service_model("guardduty"))
            self.assertEqual(enforce.iam_action(request), f"guardduty:{action}")
        self.assert_refused(self.admin.invite_members, "UnknownOperationException", 400,
                            DetectorId=self.detector, AccountIds=[self.workload])


FSBP = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_V3 = "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0"


class SecurityHubCentralConfiguration(Organization):
    """Security Hub administered by the audit account, central configuration in the home Region."""

    def setUp(self) -> None:
        super().setUp()
        self.security_ou = self.organizations.create_organizational_unit(ParentId=self.root_id, Name="Security")[
            "OrganizationalUnit"]["Id"]
        self.workloads_ou = self.organizations.create_organizational_unit(ParentId=self.root_id, Name="Workloads")[
            "OrganizationalUnit"]["Id"]
        self.prod_ou = self.organizations.create_organizational_unit(ParentId=self.workloads_ou, Name="Prod")[
            "OrganizationalUnit"]["Id"]
        for account, ou in ((self.audit, self.security_ou), (self.logs, self.security_ou),
                            (self.workload, self.prod_ou)):
            self.organizations.move_account(AccountId=account, SourceParentId=self.root_id, DestinationParentId=ou)
        client("securityhub").enable_organization_admin_account(AdminAccountId=self.audit)
        self.admin = client("securityhub", self.member(self.audit))

    def go_central(self) -> None:
        self.admin.update_organization_configuration(
            AutoEnable=False, AutoEnableStandards="NONE", OrganizationConfiguration={"ConfigurationType": "CENTRAL"})

    def create_policy(self, name: str = "acme-security-baseline") -> dict:
        return self.admin.create_configuration_policy(Name=name, Description="baseline", ConfigurationPolicy={
            "SecurityHub": {"ServiceEnabled": True, "EnabledStandardIdentifiers": [FSBP, CIS_V3],
                            "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}})

    def associations(self, **filters) -> dict[str, tuple[str, str, str]]:
        answer = {}
        for page in self.admin.get_paginator("list_configuration_policy_associations").paginate(**filters):
            for s in page["ConfigurationPolicyAssociationSummaries"]:
                self.assertEqual(s["AssociationStatus"], "SUCCESS")
                answer[s["TargetId"]] = (s["ConfigurationPolicyId"], s["TargetType"], s["AssociationType"])
        return answer

    def test_central_without_status_in_the_request_reads_back_enabled(self):
        self.go_central()
        answer = self.admin.describe_organization_configuration()
        self.assertEqual(answer["OrganizationConfiguration"], {"ConfigurationType": "CENTRAL", "Status": "ENABLED"})
        self.assertFalse(answer["AutoEnable"])
        self.assertEqual(answer["AutoEnableStandards"], "NONE")
        self.assertFalse(answer["MemberAccountLimitReached"])

    def test_the_organization_configuration_is_per_region(self):
        self.go_central()
        client("securityhub", region=OTHER_REGION).enable_organization_admin_account(AdminAccountId=self.audit)
        other = client("securityhub", self.member(self.audit), OTHER_REGION)
        self.assertEqual(other.describe_organization_configuration()["OrganizationConfiguration"],
                         {"ConfigurationType": "LOCAL", "Status": "ENABLED"})
        self.assert_refused(other.update_organization_configuration, "InvalidInputException", 400,
                            AutoEnable=False, AutoEnableStandards="NONE",
                            OrganizationConfiguration={"ConfigurationType": "CENTRAL"})

    def test_policies_are_created_read_and_listed(self):
        self.go_central()
        created = self.create_policy()
        self.assertRegex(created["Id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(created["Arn"],
                         f"arn:aws:securityhub:{REGION}:{self.audit}:configuration-policy/{created['Id']}")
        for identifier in (created["Id"], created["Arn"]):
            got = self.admin.get_configuration_policy(Identifier=identifier)
            self.assertEqual(got["ConfigurationPolicy"]["SecurityHub"]["EnabledStandardIdentifiers"], [FSBP, CIS_V3])
            self.assertEqual(got["Name"], "acme-security-baseline")
        self.create_policy("second")
        first = self.admin.list_configuration_policies(MaxResults=1)
        self.assertEqual([p["Name"] for p in first["ConfigurationPolicySummaries"]], ["acme-security-baseline"])
        self.assertTrue(first["ConfigurationPolicySummaries"][0]["ServiceEnabled"])
        rest = self.admin.list_configuration_policies(NextToken=first["NextToken"])
        self.assertEqual([p["Name"] for p in rest["ConfigurationPolicySummaries"]], ["second"])
        self.assert_refused(self.admin.get_configuration_policy, "ResourceNotFoundException", 404,
                            Identifier="00000000-0000-0000-0000-000000000000")
        self.assert_refused(self.create_policy, "ResourceConflictException", 409)

    def test_a_policy_must_say_what_it_enables(self):
        self.go_central()
        self.assert_refused(self.admin.create_configuration_policy, "InvalidInputException", 400, Name="bad",
                            ConfigurationPolicy={"SecurityHub": {"ServiceEnabled": True,
                                                                 "EnabledStandardIdentifiers": [FSBP]}})
        self.assert_refused(self.admin.create_configuration_policy, "InvalidInputException", 400, Name="bad",
                            ConfigurationPolicy={"SecurityHub": {
                                "ServiceEnabled": True, "EnabledStandardIdentifiers": ["arn:aws:securityhub:::nothing"],
                                "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}})

    def test_associations_apply_inherit_and_default_to_self_managed(self):
        self.go_central()
        self.assertEqual(set(self.associations().values()),
                         {("SELF_MANAGED_SECURITY_HUB", kind, "INHERITED")
                          for kind in ("ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT")})
        policy = self.create_policy()["Id"]
        started = self.admin.start_configuration_policy_association(
            ConfigurationPolicyIdentifier=policy, Target={"OrganizationalUnitId": self.workloads_ou})
        self.assertEqual((started["AssociationType"], started["AssociationStatus"]), ("APPLIED", "SUCCESS"))
        self.admin.start_configuration_policy_association(ConfigurationPolicyIdentifier=self.create_policy("x")["Arn"],
                                                          Target={"AccountId": self.logs})
        answer = self.associations()
        self.assertEqual(len(answer), 1 + 3 + 4)  # the root, three OUs, four ACTIVE accounts
        self.assertEqual(answer[self.root_id], ("SELF_MANAGED_SECURITY_HUB", "ROOT", "INHERITED"))
        self.assertEqual(answer[self.workloads_ou], (policy, "ORGANIZATIONAL_UNIT", "APPLIED"))
        self.assertEqual(answer[self.prod_ou], (policy, "ORGANIZATIONAL_UNIT", "INHERITED"))
        self.assertEqual(answer[self.workload], (policy, "ACCOUNT", "INHERITED"))
        self.assertEqual(answer[self.logs][1:], ("ACCOUNT", "APPLIED"))
        self.assertEqual(answer[self.audit], ("SELF_MANAGED_SECURITY_HUB", "ACCOUNT", "INHERITED"))
        self.assertEqual(answer[MANAGEMENT], ("SELF_MANAGED_SECURITY_HUB", "ACCOUNT", "INHERITED"))
        self.assertEqual(set(self.associations(Filters={"ConfigurationPolicyId": policy})),
                         {self.workloads_ou, self.prod_ou, self.workload})
        self.assertEqual(set(self.associations(Filters={"AssociationType": "APPLIED"})), {self.workloads_ou, self.logs})
        one = self.admin.list_configuration_policy_associations(MaxResults=2)
        self.assertEqual(len(one["ConfigurationPolicyAssociationSummaries"]), 2)
        got = self.admin.get_configuration_policy_association(Target={"AccountId": self.workload})
        self.assertEqual(got["ConfigurationPolicyId"], policy)
        self.assert_refused(self.admin.delete_configuration_policy, "ResourceConflictException", 409,
                            Identifier=policy)
        self.admin.start_configuration_policy_disassociation(ConfigurationPolicyIdentifier=policy,
                                                             Target={"OrganizationalUnitId": self.workloads_ou})
        self.assertEqual(self.associations()[self.workload][0], "SELF_MANAGED_SECURITY_HUB")
        self.admin.delete_configuration_policy(Identifier=policy)

    def test_a_target_outside_the_organization_is_not_found(self):
        self.go_central()
        policy = self.create_policy()["Id"]
        for target in ({"AccountId": "999988887777"}, {"OrganizationalUnitId": "ou-none-00000000"},
                       {"RootId": "r-none"}):
            self.assert_refused(self.admin.start_configuration_policy_association, "ResourceNotFoundException", 404,
                                ConfigurationPolicyIdentifier=policy, Target=target)

    def test_only_the_administrator_in_the_home_region_may_call(self):
        self.assert_refused(self.admin.list_configuration_policies, "AccessDeniedException", 403)  # still LOCAL
        self.go_central()
        for caller in (client("securityhub"), client("securityhub", self.member(self.workload)),
                       client("securityhub", self.member(self.audit), OTHER_REGION)):
            for call in (caller.list_configuration_policies, caller.list_configuration_policy_associations):
                self.assert_refused(call, "AccessDeniedException", 403)
            self.assert_refused(caller.get_configuration_policy, "AccessDeniedException", 403, Identifier="x")
        self.assert_refused(client("securityhub", self.member(self.workload)).describe_organization_configuration,
                            "AccessDeniedException", 403)

    def test_back_to_local_only_without_policies(self):
        self.go_central()
        self.create_policy()
        self.assert_refused(self.admin.update_organization_configuration, "InvalidInputException", 400,
                            AutoEnable=False, OrganizationConfiguration={"ConfigurationType": "LOCAL"})

    def test_the_iam_actions_are_security_hubs_and_an_arn_in_the_path_is_one_label(self):
        arn = f"arn:aws:securityhub:{REGION}:{self.audit}:configuration-policy/0b1c"
        for method, raw, action in (
                ("GET", "/configurationPolicy/list", "ListConfigurationPolicies"),
                ("GET", "/configurationPolicy/get/" + arn.replace("/", "%2F").replace(":", "%3A"),
                 "GetConfigurationPolicy"),
                ("POST", "/configurationPolicyAssociation/list", "ListConfigurationPolicyAssociations"),
                ("GET", "/organization/configuration", "DescribeOrganizationConfiguration")):
            request = wire.AwsRequest(service="securityhub", action="", region=REGION, access_key="",
                                      protocol="rest-json", method=method, path=raw, query={}, body=b"", raw_path=raw)
            request.action = wire.find_action(request, {}, wire.service_model("securityhub"))
            self.assertEqual(enforce.iam_action(request), f"securityhub:{action}")
        self.go_central()
        self.assert_refused(self.admin.update_configuration_policy, "UnknownOperationException", 400,
                            Identifier="x", Name="y")

    def test_reset_forgets_central_configuration(self):
        self.go_central()
        self.create_policy()
        in_process.app().reset()
        central = in_process.app().securityhub_central
        self.assertEqual((central.homes, central.policies, central.associations), ({}, {}, {}))


class EnforcedIam(Organization):
    """With IAM enforced, the new operations are authorized as their IAM actions."""

    def test_a_policy_without_the_action_is_refused_it(self):
        client("guardduty").enable_organization_admin_account(AdminAccountId=self.audit)
        client("securityhub").enable_organization_admin_account(AdminAccountId=self.audit)
        audit = self.member(self.audit)
        detector = client("guardduty", audit).create_detector(Enable=True)["DetectorId"]
        client("securityhub", audit).update_organization_configuration(
            AutoEnable=False, AutoEnableStandards="NONE", OrganizationConfiguration={"ConfigurationType": "CENTRAL"})
        iam = client("iam", audit)
        iam.create_user(UserName="scanner")
        iam.put_user_policy(UserName="scanner", PolicyName="read", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "guardduty:DescribeOrganizationConfiguration", "guardduty:GetMemberDetectors",
                "securityhub:DescribeOrganizationConfiguration", "securityhub:ListConfigurationPolicyAssociations"]}]}))
        key = iam.create_access_key(UserName="scanner")["AccessKey"]
        scanner = (key["AccessKeyId"], key["SecretAccessKey"], None)
        in_process.admin("/_posture/iam/enforce", {"enforce": True})
        guardduty, securityhub = client("guardduty", scanner), client("securityhub", scanner)
        guardduty.describe_organization_configuration(DetectorId=detector)
        securityhub.describe_organization_configuration()
        securityhub.list_configuration_policy_associations()
        for call, params, action in ((guardduty.list_members, {"DetectorId": detector}, "guardduty:ListMembers"),
                                     (securityhub.list_configuration_policies, {},
                                      "securityhub:ListConfigurationPolicies"),
                                     (securityhub.get_configuration_policy, {"Identifier": "x"},
                                      "securityhub:GetConfigurationPolicy")):
            error = self.assert_refused(call, "AccessDeniedException", 403, **params)
            self.assertIn(f"not authorized to perform: {action}", error["Message"])


if __name__ == "__main__":
    unittest.main()
