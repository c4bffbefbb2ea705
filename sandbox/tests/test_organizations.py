"""Organizations as the sandbox answers it where moto does not: delegated administrators for the security
services an organization runs from its audit account, asked through botocore of an in-process sandbox."""

import unittest

import botocore.exceptions

from posture_sandbox.moto_gaps import DELEGABLE_PRINCIPALS
from tests import in_process
from tests.in_process import client


def setUpModule() -> None:
    in_process.start()


def tearDownModule() -> None:
    in_process.stop()


class DelegatedAdministrators(unittest.TestCase):
    def setUp(self) -> None:
        in_process.app().reset()
        self.organizations = client("organizations")
        self.organizations.create_organization(FeatureSet="ALL")
        status = self.organizations.create_account(Email="audit@example.com", AccountName="audit")
        self.audit = status["CreateAccountStatus"]["AccountId"]

    def test_every_security_service_takes_a_delegated_administrator(self):
        for principal in DELEGABLE_PRINCIPALS:
            with self.subTest(principal=principal):
                self.organizations.register_delegated_administrator(AccountId=self.audit,
                                                                    ServicePrincipal=principal)
                admins = self.organizations.list_delegated_administrators(ServicePrincipal=principal)
                self.assertEqual([a["Id"] for a in admins["DelegatedAdministrators"]], [self.audit])
        services = self.organizations.list_delegated_services_for_account(AccountId=self.audit)
        self.assertEqual(sorted(s["ServicePrincipal"] for s in services["DelegatedServices"]),
                         sorted(DELEGABLE_PRINCIPALS))

    def test_a_principal_registered_twice_is_refused(self):
        principal = "inspector2.amazonaws.com"
        self.organizations.register_delegated_administrator(AccountId=self.audit, ServicePrincipal=principal)
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            self.organizations.register_delegated_administrator(AccountId=self.audit, ServicePrincipal=principal)
        self.assertEqual(caught.exception.response["Error"]["Code"], "AccountAlreadyRegisteredException")


if __name__ == "__main__":
    unittest.main()
