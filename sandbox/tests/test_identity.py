"""IAM's centralized root access and IAM Identity Center, asked through botocore (what boto3 and the
seeder use) of an in-process sandbox: what each caller gets, success and refusal, in the wire shapes AWS uses."""

import unittest
from xml.etree import ElementTree

import botocore.exceptions

from posture_sandbox import wire
from tests import in_process
from tests.in_process import MANAGEMENT, REGION, admin, client


def setUpModule() -> None:
    in_process.start()


def tearDownModule() -> None:
    in_process.stop()


class Organization(unittest.TestCase):
    """A fresh sandbox with an all-features organization and two members, per test."""

    def setUp(self) -> None:
        in_process.app().reset()
        self.organizations = client("organizations")
        self.organization_id = self.organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        self.members = [self.create_account(name) for name in ("workload-a", "workload-b")]

    def create_account(self, name: str) -> str:
        status = self.organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        return status["CreateAccountStatus"]["AccountId"]

    def member(self, account_id: str) -> tuple[str, str, str]:
        return in_process.member(account_id)

    def assert_refused(self, call, code: str, status: int = 400, **params) -> dict:
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(**params)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status)
        return error["Error"]


class CentralizedRootAccess(Organization):
    def enable_trusted_access(self) -> None:
        self.organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")

    def test_the_management_account_enables_and_lists_features(self):
        self.enable_trusted_access()
        iam = client("iam")
        self.assertEqual(iam.list_organizations_features()["EnabledFeatures"], [])
        enabled = iam.enable_organizations_root_credentials_management()
        self.assertEqual(enabled["EnabledFeatures"], ["RootCredentialsManagement"])
        iam.enable_organizations_root_sessions()
        listed = iam.list_organizations_features()
        self.assertEqual(listed["OrganizationId"], self.organization_id)
        self.assertEqual(listed["EnabledFeatures"], ["RootCredentialsManagement", "RootSessions"])
        self.assertEqual(iam.disable_organizations_root_sessions()["EnabledFeatures"], ["RootCredentialsManagement"])

    def test_the_answer_is_iam_query_xml_with_a_member_list(self):
        self.enable_trusted_access()
        client("iam").enable_organizations_root_sessions()
        request = wire.AwsRequest(service="iam", action="ListOrganizationsFeatures", region=REGION, access_key="",
                                  protocol="query", method="POST", path="/", query={},
                                  body=b"Action=ListOrganizationsFeatures&Version=2010-05-08")
        status, headers, body = in_process.app().root_access.handle(request, MANAGEMENT)
        self.assertEqual(status, "200 OK")
        self.assertIn(("Content-Type", "text/xml"), headers)
        ns = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/"}
        result = ElementTree.fromstring(body).find("iam:ListOrganizationsFeaturesResult", ns)
        assert result is not None
        self.assertEqual(result.findtext("iam:OrganizationId", namespaces=ns), self.organization_id)
        self.assertEqual([m.text for m in result.findall("iam:EnabledFeatures/iam:member", ns)], ["RootSessions"])

    def test_a_member_is_refused_as_neither_management_nor_delegated_administrator(self):
        self.enable_trusted_access()
        iam = client("iam", self.member(self.members[0]))
        for call in (iam.list_organizations_features, iam.enable_organizations_root_sessions,
                     iam.disable_organizations_root_credentials_management):
            error = self.assert_refused(call, "AccountNotManagementOrDelegatedAdministratorException")
            self.assertEqual(error["Type"], "Sender")

    def test_the_delegated_administrator_lists_and_disables_but_may_not_enable(self):
        self.enable_trusted_access()
        client("iam").enable_organizations_root_sessions()
        self.organizations.register_delegated_administrator(AccountId=self.members[1],
                                                            ServicePrincipal="iam.amazonaws.com")
        iam = client("iam", self.member(self.members[1]))
        self.assertEqual(iam.list_organizations_features()["EnabledFeatures"], ["RootSessions"])
        self.assert_refused(iam.enable_organizations_root_credentials_management,
                            "CallerIsNotManagementAccountException")
        self.assertEqual(iam.disable_organizations_root_sessions()["EnabledFeatures"], [])

    def test_without_trusted_access_for_iam_every_call_is_refused(self):
        self.assert_refused(client("iam").list_organizations_features, "ServiceAccessNotEnabledException")
        self.assert_refused(client("iam").enable_organizations_root_sessions, "ServiceAccessNotEnabledException")

    def test_outside_an_organization_there_is_no_organization(self):
        in_process.app().reset()
        self.assert_refused(client("iam").list_organizations_features, "OrganizationNotFoundException")

    def test_a_consolidated_billing_organization_is_refused(self):
        in_process.app().reset()
        client("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")
        self.assert_refused(client("iam").list_organizations_features, "OrganizationNotInAllFeaturesModeException")

    def test_an_account_created_under_root_credentials_management_has_no_root_credentials(self):
        self.enable_trusted_access()
        client("iam").enable_organizations_root_credentials_management()
        created = self.create_account("created-after")
        summary = client("iam", self.member(created)).get_account_summary()["SummaryMap"]
        self.assertEqual(summary["AccountPasswordPresent"], 0)
        self.assertEqual(summary["AccountMFAEnabled"], 0)
        before = client("iam", self.member(self.members[0])).get_account_summary()["SummaryMap"]
        self.assertEqual(before["AccountPasswordPresent"], 1)  # created before: a fresh account's password

    def test_reset_forgets_the_features(self):
        self.enable_trusted_access()
        client("iam").enable_organizations_root_sessions()
        self.setUp()
        self.enable_trusted_access()
        self.assertEqual(client("iam").list_organizations_features()["EnabledFeatures"], [])


class IdentityCenter(Organization):
    def enable_organization_instance(self) -> dict:
        status, answer = admin("/_posture/sso/organization-instance", {"account_id": MANAGEMENT})
        self.assertEqual(status, 200, answer)
        return answer

    def test_nothing_is_enabled_until_identity_center_is(self):
        self.assertEqual(client("sso-admin").list_instances()["Instances"], [])
        self.assertEqual(client("sso-admin", self.member(self.members[0])).list_instances()["Instances"], [])

    def test_the_management_account_lists_the_organization_instance(self):
        enabled = self.enable_organization_instance()
        [instance] = client("sso-admin").list_instances()["Instances"]
        self.assertEqual(instance["InstanceArn"], enabled["InstanceArn"])
        self.assertEqual(instance["OwnerAccountId"], MANAGEMENT)
        self.assertEqual(instance["Status"], "ACTIVE")
        self.assertRegex(instance["InstanceArn"], r"^arn:aws:sso:::instance/ssoins-[0-9a-f]{16}$")
        self.assertRegex(instance["IdentityStoreId"], r"^d-[0-9a-f]{10}$")
        self.assertNotIn("Name", instance)  # absent, not null
        self.assertEqual(instance["PrimaryRegion"], "us-east-1")
        self.assertEqual(client("sso-admin", region="eu-west-1").list_instances()["Instances"], [])
        # Every Region at once, as posture reads it: the instance from any Region's endpoint.
        [everywhere] = client("sso-admin", region="eu-west-1").list_instances(RegionScope="ALL_REGIONS")["Instances"]
        self.assertEqual(everywhere["InstanceArn"], instance["InstanceArn"])
        services = self.organizations.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
        self.assertIn("sso.amazonaws.com", [s["ServicePrincipal"] for s in services])

    def test_a_member_lists_only_its_own_account_instance(self):
        self.enable_organization_instance()
        owner = client("sso-admin", self.member(self.members[0]))
        arn = owner.create_instance(Name="team-a")["InstanceArn"]
        [instance] = owner.list_instances()["Instances"]
        self.assertEqual((instance["InstanceArn"], instance["OwnerAccountId"], instance["Name"]),
                         (arn, self.members[0], "team-a"))
        self.assertEqual(client("sso-admin", self.member(self.members[1])).list_instances()["Instances"], [])
        [seen] = client("sso-admin").list_instances()["Instances"]
        self.assertEqual(seen["OwnerAccountId"], MANAGEMENT)

    def test_create_instance_in_the_management_account_is_refused(self):
        error = self.assert_refused(client("sso-admin").create_instance, "ValidationException", Name="org")
        self.assertEqual(error["Message"], "Organization management account is not allowed to perform the operation.")

    def test_a_second_organization_instance_is_refused(self):
        self.enable_organization_instance()
        status, answer = admin("/_posture/sso/organization-instance", {"account_id": MANAGEMENT, "region": "eu-west-1"})
        self.assertEqual(status, 400)
        self.assertIn("AWS allows one", answer["error"])
        status, _ = admin("/_posture/sso/organization-instance", {"account_id": self.members[0]})
        self.assertEqual(status, 400)  # a member has no organization instance to enable

    def test_an_account_has_one_instance_across_regions(self):
        owner = self.member(self.members[0])
        client("sso-admin", owner).create_instance()
        self.assert_refused(client("sso-admin", owner, region="eu-west-1").create_instance,
                            "ServiceQuotaExceededException")

    def test_account_instances_have_no_permission_sets(self):
        sso = client("sso-admin", self.member(self.members[0]))
        arn = sso.create_instance()["InstanceArn"]
        self.assert_refused(sso.create_permission_set, "ValidationException", InstanceArn=arn, Name="Admin")

    def seed(self) -> tuple[str, list[str]]:
        """The organization instance with two permission sets: one assigned to both members, one to the first."""
        arn = self.enable_organization_instance()["InstanceArn"]
        store = client("sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
        group = client("identitystore").create_group(IdentityStoreId=store, DisplayName="Admins")["GroupId"]
        sso = client("sso-admin")
        sets = [sso.create_permission_set(InstanceArn=arn, Name=name, SessionDuration="PT4H")["PermissionSet"]
                ["PermissionSetArn"] for name in ("AdministratorAccess", "ReadOnlyAccess")]
        for permission_set, accounts in zip(sets, (self.members, self.members[:1]), strict=True):
            for account in accounts:
                created = sso.create_account_assignment(
                    InstanceArn=arn, TargetId=account, TargetType="AWS_ACCOUNT", PermissionSetArn=permission_set,
                    PrincipalType="GROUP", PrincipalId=group)["AccountAssignmentCreationStatus"]
                self.assertEqual(created["Status"], "IN_PROGRESS")
                done = sso.describe_account_assignment_creation_status(
                    InstanceArn=arn, AccountAssignmentCreationRequestId=created["RequestId"])
                self.assertEqual(done["AccountAssignmentCreationStatus"]["Status"], "SUCCEEDED")
        return arn, sets

    def test_permission_sets_and_assignments_read_back(self):
        arn, sets = self.seed()
        sso = client("sso-admin")
        self.assertEqual(sso.list_permission_sets(InstanceArn=arn)["PermissionSets"], sets)
        for permission_set in sets:
            self.assertRegex(permission_set, r"^arn:aws:sso:::permissionSet/ssoins-[0-9a-f]{16}/ps-[0-9a-f]{16}$")
        self.assertEqual(
            sso.list_accounts_for_provisioned_permission_set(InstanceArn=arn, PermissionSetArn=sets[0])["AccountIds"],
            self.members)
        self.assertEqual(
            sso.list_accounts_for_provisioned_permission_set(InstanceArn=arn, PermissionSetArn=sets[1])["AccountIds"],
            self.members[:1])
        assignments = sso.list_account_assignments(InstanceArn=arn, AccountId=self.members[1],
                                                   PermissionSetArn=sets[0])["AccountAssignments"]
        self.assertEqual([(a["AccountId"], a["PrincipalType"]) for a in assignments], [(self.members[1], "GROUP")])
        self.assertEqual(sso.list_account_assignments(InstanceArn=arn, AccountId=self.members[1],
                                                      PermissionSetArn=sets[1])["AccountAssignments"], [])

    def test_a_member_may_not_read_the_organization_instance(self):
        arn, sets = self.seed()
        sso = client("sso-admin", self.member(self.members[0]))
        self.assert_refused(sso.list_permission_sets, "AccessDeniedException", InstanceArn=arn)
        self.assert_refused(sso.list_account_assignments, "AccessDeniedException", InstanceArn=arn,
                            AccountId=self.members[0], PermissionSetArn=sets[0])
        self.assert_refused(sso.list_accounts_for_provisioned_permission_set, "AccessDeniedException",
                            InstanceArn=arn, PermissionSetArn=sets[0])

    def test_the_delegated_administrator_reads_the_organization_instance(self):
        arn, sets = self.seed()
        self.organizations.register_delegated_administrator(AccountId=self.members[1],
                                                            ServicePrincipal="sso.amazonaws.com")
        sso = client("sso-admin", self.member(self.members[1]))
        self.assertEqual([i["InstanceArn"] for i in sso.list_instances()["Instances"]], [arn])
        self.assertEqual(sso.list_permission_sets(InstanceArn=arn)["PermissionSets"], sets)

    def test_list_instances_pages(self):
        self.enable_organization_instance()
        self.assert_refused(client("sso-admin").list_instances, "ValidationException", MaxResults=101)
        self.assertEqual(len(client("sso-admin").list_instances(MaxResults=1)["Instances"]), 1)


if __name__ == "__main__":
    unittest.main()
