"""EC2's account-level settings and the EC2 declarative policies that pin them, asked through botocore of
an in-process sandbox: a new account's defaults, the setters, a policy on one OU, inheritance from the
root, refusal of a pinned setter, the policy type switched off, and the wire shapes AWS uses."""

import json
import unittest
from typing import Any
from xml.etree import ElementTree

import botocore.exceptions

from posture_sandbox import ec2_settings, wire
from tests import in_process
from tests.in_process import MANAGEMENT, REGION, STATIC_KEY, client

OTHER_REGION = "eu-west-1"
POLICY_TYPE = "DECLARATIVE_POLICY_EC2"

# Everything the brief's seeded policy pins, as the Organizations User Guide writes it.
PINNED = {"ec2_attributes": {
    "image_block_public_access": {"state": {"@@assign": "block_new_sharing"}},
    "snapshot_block_public_access": {"state": {"@@assign": "block_all_sharing"}},
    "instance_metadata_defaults": {"http_tokens": {"@@assign": "required"},
                                   "http_put_response_hop_limit": {"@@assign": "2"}},
    "serial_console_access": {"status": {"@@assign": "disabled"}},
}}

def setUpModule() -> None:
    in_process.start()


def tearDownModule() -> None:
    in_process.stop()


def settings_of(ec2) -> dict:
    """The four settings as their Get operations answer them, without response metadata."""
    image = ec2.get_image_block_public_access_state()
    snapshot = ec2.get_snapshot_block_public_access_state()
    serial = ec2.get_serial_console_access_status()
    return {
        "image": (image["ImageBlockPublicAccessState"], image["ManagedBy"]),
        "snapshot": (snapshot["State"], snapshot["ManagedBy"]),
        "metadata": ec2.get_instance_metadata_defaults()["AccountLevel"],
        "serial": (serial["SerialConsoleAccessEnabled"], serial["ManagedBy"]),
    }


FRESH = {
    "image": ("block-new-sharing", "account"),
    "snapshot": ("unblocked", "account"),
    "metadata": {"ManagedBy": "account"},
    "serial": (False, "account"),
}


class Organization(unittest.TestCase):
    """A fresh sandbox with an all-features organization, two OUs and a member in each, per test."""

    def setUp(self) -> None:
        in_process.app().reset()
        self.organizations = client("organizations")
        self.organizations.create_organization(FeatureSet="ALL")
        self.root_id = self.organizations.list_roots()["Roots"][0]["Id"]
        self.ous = {name: self.organizations.create_organizational_unit(ParentId=self.root_id, Name=name)
                    ["OrganizationalUnit"]["Id"] for name in ("Workloads", "Sandbox")}
        self.members = {ou: self.create_account(f"{ou.lower()}-member", ou) for ou in self.ous}

    def create_account(self, name: str, ou: str) -> str:
        status = self.organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        account_id = status["CreateAccountStatus"]["AccountId"]
        self.organizations.move_account(AccountId=account_id, SourceParentId=self.root_id,
                                        DestinationParentId=self.ous[ou])
        return account_id

    def ec2(self, ou: str | None = None, region: str = REGION):
        """EC2 in the member of `ou` (the management account for None)."""
        return client("ec2", self.member(self.members[ou]) if ou else STATIC_KEY, region)

    def member(self, account_id: str) -> tuple[str, str, str]:
        return in_process.member(account_id)

    def attach(self, document: dict, target: str, name: str = "ec2-baseline") -> str:
        policy = self.organizations.create_policy(Name=name, Type=POLICY_TYPE, Description=name,
                                                  Content=json.dumps(document))["Policy"]["PolicySummary"]["Id"]
        self.organizations.attach_policy(PolicyId=policy, TargetId=target)
        return policy

    def enable(self) -> None:
        self.organizations.enable_policy_type(RootId=self.root_id, PolicyType=POLICY_TYPE)

    def assert_refused(self, call, code: str, status: int = 400, **params) -> dict:
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(**params)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status)
        return error["Error"]


class AccountSettings(Organization):
    def test_a_new_account_has_the_defaults_aws_documents_in_every_region(self):
        for ec2 in (self.ec2(), self.ec2("Workloads"), self.ec2("Sandbox", OTHER_REGION)):
            self.assertEqual(settings_of(ec2), FRESH)

    def test_the_setters_change_one_account_in_one_region(self):
        ec2 = self.ec2("Workloads")
        self.assertEqual(ec2.disable_image_block_public_access()["ImageBlockPublicAccessState"], "unblocked")
        self.assertEqual(ec2.enable_snapshot_block_public_access(State="block-all-sharing")["State"],
                         "block-all-sharing")
        self.assertTrue(ec2.modify_instance_metadata_defaults(HttpTokens="required", HttpPutResponseHopLimit=2,
                                                              InstanceMetadataTags="enabled")["Return"])
        self.assertTrue(ec2.enable_serial_console_access()["SerialConsoleAccessEnabled"])
        self.assertEqual(settings_of(ec2), {
            "image": ("unblocked", "account"),
            "snapshot": ("block-all-sharing", "account"),
            "metadata": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "InstanceMetadataTags": "enabled",
                         "ManagedBy": "account"},
            "serial": (True, "account"),
        })
        self.assertEqual(settings_of(self.ec2("Workloads", OTHER_REGION)), FRESH)
        self.assertEqual(settings_of(self.ec2("Sandbox")), FRESH)
        # and back: no-preference and -1 clear an IMDS default
        self.assertEqual(ec2.enable_image_block_public_access(ImageBlockPublicAccessState="block-new-sharing")
                         ["ImageBlockPublicAccessState"], "block-new-sharing")
        self.assertEqual(ec2.disable_snapshot_block_public_access()["State"], "unblocked")
        ec2.modify_instance_metadata_defaults(HttpTokens="no-preference", HttpPutResponseHopLimit=-1)
        self.assertFalse(ec2.disable_serial_console_access()["SerialConsoleAccessEnabled"])
        self.assertEqual(settings_of(ec2)["metadata"], {"InstanceMetadataTags": "enabled", "ManagedBy": "account"})

    def test_values_outside_the_model_are_refused(self):
        ec2 = self.ec2()
        self.assert_refused(ec2.enable_snapshot_block_public_access, "InvalidParameterValue", State="unblocked")
        self.assert_refused(ec2.enable_image_block_public_access, "InvalidParameterValue",
                            ImageBlockPublicAccessState="unblocked")
        self.assert_refused(ec2.modify_instance_metadata_defaults, "InvalidParameterValue", HttpTokens="always")
        for limit in (0, 65):
            self.assert_refused(ec2.modify_instance_metadata_defaults, "InvalidParameterValue",
                                HttpPutResponseHopLimit=limit)
        self.assertEqual(settings_of(ec2), FRESH)

    def test_dry_run_answers_dry_run_operation(self):
        self.assert_refused(self.ec2().enable_serial_console_access, "DryRunOperation", 412, DryRun=True)
        self.assertEqual(settings_of(self.ec2())["serial"], (False, "account"))

    def test_the_answers_are_ec2_query_xml(self):
        request = wire.AwsRequest(service="ec2", action="GetInstanceMetadataDefaults", region=REGION, access_key="",
                                  protocol="ec2", method="POST", path="/", query={},
                                  body=b"Action=GetInstanceMetadataDefaults&Version=2016-11-15")
        client("ec2").modify_instance_metadata_defaults(HttpTokens="required")
        status, headers, body = in_process.app().ec2_settings.handle(request, MANAGEMENT)
        self.assertEqual(status, "200 OK")
        self.assertIn(("Content-Type", "text/xml;charset=UTF-8"), headers)
        ns = {"ec2": "http://ec2.amazonaws.com/doc/2016-11-15/"}
        root = ElementTree.fromstring(body)
        self.assertEqual(root.tag, "{http://ec2.amazonaws.com/doc/2016-11-15/}GetInstanceMetadataDefaultsResponse")
        self.assertTrue(root.findtext("ec2:requestId", namespaces=ns))
        self.assertEqual(root.findtext("ec2:accountLevel/ec2:httpTokens", namespaces=ns), "required")
        self.assertEqual(root.findtext("ec2:accountLevel/ec2:managedBy", namespaces=ns), "account")


class DeclarativePolicies(Organization):
    def test_a_policy_on_one_ou_pins_its_accounts_only(self):
        self.enable()
        self.attach(PINNED, self.ous["Workloads"])
        pinned = {
            "image": ("block-new-sharing", "declarative-policy"),
            "snapshot": ("block-all-sharing", "declarative-policy"),
            "metadata": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "ManagedBy": "declarative-policy"},
            "serial": (False, "declarative-policy"),
        }
        self.assertEqual(settings_of(self.ec2("Workloads")), pinned)
        self.assertEqual(settings_of(self.ec2("Workloads", OTHER_REGION)), pinned)  # a policy holds in every Region
        self.assertEqual(settings_of(self.ec2("Sandbox")), FRESH)
        self.assertEqual(settings_of(self.ec2()), FRESH)  # the management account sits under the root

    def test_a_pinned_setting_refuses_the_accounts_setter(self):
        self.enable()
        message = "EC2 settings are managed centrally: see https://wiki.example/ec2"
        self.attach({"ec2_attributes": {**PINNED["ec2_attributes"], "exception_message": {"@@assign": message}}},
                    self.ous["Workloads"])
        ec2 = self.ec2("Workloads")
        refusals: tuple[tuple[Any, dict[str, Any]], ...] = (
            (ec2.disable_image_block_public_access, {}),
            (ec2.enable_snapshot_block_public_access, {"State": "block-new-sharing"}),
            (ec2.disable_snapshot_block_public_access, {}),
            (ec2.modify_instance_metadata_defaults, {"HttpTokens": "optional"}),
            (ec2.enable_serial_console_access, {}),
        )
        for call, params in refusals:
            self.assertEqual(self.assert_refused(call, "OperationNotPermitted", **params)["Message"], message)
        self.assertEqual(ec2.get_instance_metadata_defaults()["AccountLevel"]["ManagedExceptionMessage"], message)
        # without a custom message, AWS's own; an attribute the policy leaves alone stays the account's
        self.attach({"ec2_attributes": {"serial_console_access": {"status": {"@@assign": "disabled"}}}},
                    self.ous["Sandbox"], "serial-only")
        sandbox = self.ec2("Sandbox")
        error = self.assert_refused(sandbox.enable_serial_console_access, "OperationNotPermitted")
        self.assertEqual(error["Message"], "This action is denied due to an organizational policy in effect")
        self.assertEqual(sandbox.disable_image_block_public_access()["ImageBlockPublicAccessState"], "unblocked")
        self.assertEqual(sandbox.get_instance_metadata_defaults()["AccountLevel"], {"ManagedBy": "account"})

    def test_the_ou_policy_overrides_the_root_policy_unless_the_root_locks_it(self):
        self.enable()
        self.attach({"ec2_attributes": {
            "snapshot_block_public_access": {"state": {"@@assign": "block_all_sharing"}},
            "image_block_public_access": {"state": {"@@assign": "block_new_sharing"}},
            "serial_console_access": {"status": {"@@assign": "disabled",
                                                 "@@operators_allowed_for_child_policies": ["@@none"]}},
        }}, self.root_id, "root-baseline")
        self.attach({"ec2_attributes": {
            "snapshot_block_public_access": {"state": {"@@assign": "block_new_sharing"}},
            "serial_console_access": {"status": {"@@assign": "enabled"}},
        }}, self.ous["Sandbox"], "sandbox-exception")
        sandbox = settings_of(self.ec2("Sandbox"))
        self.assertEqual(sandbox["snapshot"], ("block-new-sharing", "declarative-policy"))
        self.assertEqual(sandbox["image"], ("block-new-sharing", "declarative-policy"))  # inherited
        self.assertEqual(sandbox["serial"], (False, "declarative-policy"))  # the root's lock holds
        self.assertEqual(sandbox["metadata"], {"ManagedBy": "account"})
        workloads = settings_of(self.ec2("Workloads"))
        self.assertEqual(workloads["snapshot"], ("block-all-sharing", "declarative-policy"))
        # the management account is under the root, and declarative policies apply to it too (u)
        self.assertEqual(settings_of(self.ec2())["snapshot"], ("block-all-sharing", "declarative-policy"))

    def test_without_the_policy_type_enabled_a_policy_has_no_effect(self):
        policy = self.organizations.create_policy(Name="early", Type=POLICY_TYPE, Description="early",
                                                  Content=json.dumps(PINNED))["Policy"]["PolicySummary"]["Id"]
        self.assert_refused(self.organizations.attach_policy, "PolicyTypeNotEnabledException",
                            PolicyId=policy, TargetId=self.ous["Workloads"])
        self.assertEqual(settings_of(self.ec2("Workloads")), FRESH)
        # enabled, attached, then disabled: the type's policies are detached and the account's values return
        self.ec2("Workloads").disable_image_block_public_access()
        self.enable()
        self.organizations.attach_policy(PolicyId=policy, TargetId=self.ous["Workloads"])
        self.assertEqual(settings_of(self.ec2("Workloads"))["image"], ("block-new-sharing", "declarative-policy"))
        self.organizations.disable_policy_type(RootId=self.root_id, PolicyType=POLICY_TYPE)
        self.assertEqual(self.organizations.list_targets_for_policy(PolicyId=policy)["Targets"], [])
        self.assertEqual(settings_of(self.ec2("Workloads")), {**FRESH, "image": ("unblocked", "account")})

    def test_detaching_gives_the_account_its_own_value_back(self):
        self.enable()
        self.ec2("Workloads").enable_serial_console_access()
        policy = self.attach(PINNED, self.ous["Workloads"])
        self.assertEqual(settings_of(self.ec2("Workloads"))["serial"], (False, "declarative-policy"))
        self.organizations.detach_policy(PolicyId=policy, TargetId=self.ous["Workloads"])
        self.assertEqual(settings_of(self.ec2("Workloads"))["serial"], (True, "account"))


class OrganizationsApi(Organization):
    def test_the_policy_type_reads_back_like_the_others(self):
        self.enable()
        self.assertIn({"Type": POLICY_TYPE, "Status": "ENABLED"},
                      self.organizations.list_roots()["Roots"][0]["PolicyTypes"])
        policy = self.attach(PINNED, self.ous["Workloads"])
        summary = self.organizations.describe_policy(PolicyId=policy)["Policy"]["PolicySummary"]
        organization_id = self.organizations.describe_organization()["Organization"]["Id"]
        self.assertEqual(summary["Arn"],
                         f"arn:aws:organizations::{MANAGEMENT}:policy/{organization_id}/declarative_policy_ec2/{policy}")
        self.assertEqual([p["Id"] for p in self.organizations.list_policies(Filter=POLICY_TYPE)["Policies"]], [policy])
        self.assertEqual([p["Id"] for p in self.organizations.list_policies_for_target(
            TargetId=self.ous["Workloads"], Filter=POLICY_TYPE)["Policies"]], [policy])

    def test_content_aws_would_refuse_is_refused(self):
        for content in ("{not json", json.dumps({"ec2_attributes": {}, "s3_attributes": {}}), json.dumps([]),
                        json.dumps({"ec2_attributes": {"image_block_public_access": {"state": {"@@assign": "on"}}}}),
                        json.dumps({"ec2_attributes": {"instance_metadata_defaults": {
                            "http_put_response_hop_limit": {"@@assign": "100"}}}})):
            self.assert_refused(self.organizations.create_policy, "MalformedPolicyDocumentException",
                                Name="bad", Type=POLICY_TYPE, Description="bad", Content=content)
        policy = self.organizations.create_policy(Name="good", Type=POLICY_TYPE, Description="good",
                                                  Content=json.dumps(PINNED))["Policy"]["PolicySummary"]["Id"]
        self.assert_refused(self.organizations.update_policy, "MalformedPolicyDocumentException",
                            PolicyId=policy, Content="{}")

    def test_describe_effective_policy_merges_without_operators(self):
        self.enable()
        self.attach({"ec2_attributes": {"image_block_public_access": {"state": {"@@assign": "block_new_sharing"}},
                                        "serial_console_access": {"status": {"@@assign": "disabled"}}}},
                    self.root_id, "root-baseline")
        self.attach({"ec2_attributes": {"serial_console_access": {"status": {"@@assign": "enabled"}}}},
                    self.members["Sandbox"], "account-exception")
        answer = self.organizations.describe_effective_policy(PolicyType=POLICY_TYPE,
                                                              TargetId=self.members["Sandbox"])["EffectivePolicy"]
        self.assertEqual(json.loads(answer["PolicyContent"]), {"ec2_attributes": {
            "image_block_public_access": {"state": "block_new_sharing"},
            "serial_console_access": {"status": "enabled"}}})
        self.assertEqual((answer["TargetId"], answer["PolicyType"]), (self.members["Sandbox"], POLICY_TYPE))
        self.assertIn("LastUpdatedTimestamp", answer)
        # a member reads its own (TargetId left out), not another account's
        organizations = client("organizations", self.member(self.members["Workloads"]))
        own = organizations.describe_effective_policy(PolicyType=POLICY_TYPE)["EffectivePolicy"]
        self.assertEqual(own["TargetId"], self.members["Workloads"])
        self.assert_refused(organizations.describe_effective_policy, "AccessDeniedException",
                            PolicyType=POLICY_TYPE, TargetId=self.members["Sandbox"])
        self.assert_refused(self.organizations.describe_effective_policy, "InvalidInputException",
                            PolicyType=POLICY_TYPE, TargetId=self.ous["Sandbox"])

    def test_no_effective_policy_without_the_type_or_a_policy(self):
        self.assert_refused(self.organizations.describe_effective_policy, "EffectivePolicyNotFoundException",
                            PolicyType=POLICY_TYPE, TargetId=self.members["Sandbox"])
        self.enable()
        self.assert_refused(self.organizations.describe_effective_policy, "EffectivePolicyNotFoundException",
                            PolicyType=POLICY_TYPE, TargetId=self.members["Sandbox"])


class Inheritance(unittest.TestCase):
    """The management-policy inheritance operators, on documents alone."""

    def test_child_assign_overrides_and_lists_append_and_remove(self):
        root = {"a": {"x": {"@@assign": "root"}, "list": {"@@assign": ["p", "q"]}}}
        ou = {"a": {"x": {"@@assign": "ou"}, "list": {"@@append": ["r"]}}}
        account = {"a": {"list": {"@@remove": ["p"]}}}
        self.assertEqual(ec2_settings.merge([[root], [ou], [account]]), {"a": {"x": "ou", "list": ["q", "r"]}})

    def test_a_lock_binds_the_levels_below_not_its_own(self):
        root = {"a": {"@@operators_allowed_for_child_policies": ["@@append"], "x": {"@@assign": "root"}}}
        same_level = {"a": {"y": {"@@assign": "sibling"}}}
        ou = {"a": {"x": {"@@assign": "ou"}, "y": {"@@assign": "ou"}}}
        self.assertEqual(ec2_settings.merge([[root, same_level], [ou]]), {"a": {"x": "root", "y": "sibling"}})


if __name__ == "__main__":
    unittest.main()
