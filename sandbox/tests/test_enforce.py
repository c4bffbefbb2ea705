"""The enforcing sandbox's policy evaluation, statement by statement (no server needed)."""

import json
import unittest

from posture_sandbox.enforce import combine, conditions_hold

ROLE = "arn:aws:iam::111122223333:role/scanner"
CONTEXT = {"aws:principalarn": ROLE, "aws:principalaccount": "111122223333",
           "aws:requestedregion": "us-east-1"}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


class IdentityPolicies(unittest.TestCase):
    def decide(self, *statements: dict, action: str = "ec2:RunInstances", resource: str = "*") -> str:
        return combine([policy(*statements)], action, resource, CONTEXT)

    def test_actions_match_case_insensitively_with_wildcards(self):
        allow = {"Effect": "Allow", "Action": "IAM:List?sers", "Resource": "*"}
        self.assertEqual(self.decide(allow, action="iam:ListUsers"), "allow")
        self.assertEqual(self.decide(allow, action="iam:ListRoles"), "implicit")

    def test_a_deny_applies_only_where_its_condition_holds(self):
        outside = {"Effect": "Deny", "Action": "*", "Resource": "*",
                   "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}
        self.assertEqual(self.decide(ALLOW_ALL, outside), "allow")
        elsewhere = dict(outside, Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})
        self.assertEqual(self.decide(ALLOW_ALL, elsewhere), "deny")

    def test_not_resource_and_not_action_exclude_what_they_name(self):
        all_but_one = {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::logs"}
        self.assertEqual(self.decide(ALLOW_ALL, all_but_one, action="s3:GetObject",
                                     resource="arn:aws:s3:::logs"), "allow")
        self.assertEqual(self.decide(ALLOW_ALL, all_but_one, action="s3:GetObject",
                                     resource="arn:aws:s3:::data"), "deny")
        not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
        self.assertEqual(self.decide(not_action, action="iam:CreateUser"), "implicit")
        self.assertEqual(self.decide(not_action, action="s3:ListAllMyBuckets"), "allow")

    def test_an_unmodelled_operator_makes_a_deny_apply_and_an_allow_not(self):
        numeric = {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}
        self.assertEqual(self.decide(dict(ALLOW_ALL, Condition=numeric)), "implicit")
        deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": numeric}
        self.assertEqual(self.decide(ALLOW_ALL, deny), "deny")


class Conditions(unittest.TestCase):
    def test_absent_keys_fail_positive_tests_and_pass_negated_and_if_exists_ones(self):
        self.assertFalse(conditions_hold({"StringEquals": {"sts:ExternalId": "x"}}, CONTEXT))
        self.assertTrue(conditions_hold({"StringNotEquals": {"sts:ExternalId": "x"}}, CONTEXT))
        self.assertTrue(conditions_hold({"StringEqualsIfExists": {"sts:ExternalId": "x"}}, CONTEXT))
        self.assertTrue(conditions_hold({"Null": {"sts:ExternalId": "true"}}, CONTEXT))

    def test_keys_match_case_insensitively_and_any_listed_value_will_do(self):
        self.assertTrue(conditions_hold({"ArnLike": {"AWS:PrincipalARN": ["arn:aws:iam::*:user/x", ROLE]}},
                                        CONTEXT))

    def test_a_number_is_one_value_and_an_unmodelled_operator_is_unknown(self):
        self.assertIsNone(conditions_hold({"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}, CONTEXT))
        self.assertTrue(conditions_hold({"StringEquals": {"aws:PrincipalAccount": 111122223333}}, CONTEXT))


if __name__ == "__main__":
    unittest.main()
