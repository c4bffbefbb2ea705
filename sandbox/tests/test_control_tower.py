"""AWS Control Tower (`posture_sandbox/control_tower.py`), asked through botocore of an in-process
sandbox whose app routes `controltower` to the extension (as app.py will): the landing zone, enabled
controls and baselines as the management account, a member and an account outside any organization
see them, in the home Region and elsewhere, with paging and drift."""

import logging
import re
import threading
import unittest
import uuid
from typing import Any

import botocore.exceptions
import botocore.session
from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import make_server

from posture_sandbox import control_tower, wire
from posture_sandbox.app import SandboxApp
from posture_sandbox.control_tower import ControlTower

MANAGEMENT = "123456789012"
STATIC_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None)
HOME = "us-east-1"
CATALOG_CONTROL = "arn:aws:controlcatalog:::control/{}"
LEGACY_CONTROL = "arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS"
BASELINE = f"arn:aws:controltower:{HOME}::baseline/{control_tower.CONTROL_TOWER_BASELINE_ID}"


class App(SandboxApp):
    """The sandbox with Control Tower routed to the extension, as app.py's `extension_response` will."""

    def __init__(self):
        super().__init__()
        self.control_tower = ControlTower()

    def extension_response(self, request: wire.AwsRequest, account_id: str):
        if request.service == control_tower.SIGNING_NAME:
            return self.control_tower.handle(request, account_id)
        return super().extension_response(request, account_id)

    def reset(self) -> None:
        super().reset()
        self.control_tower.reset()


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


def client(service: str, credentials=STATIC_KEY, region: str = HOME):
    key, secret, token = credentials
    return _session.create_client(service, region_name=region, endpoint_url=_running["endpoint"],
                                  aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


def member(account_id: str) -> tuple[str, str, str]:
    answer = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                                       RoleSessionName="test")["Credentials"]
    return answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"]


class Organization(unittest.TestCase):
    """A fresh all-features organization with Log Archive, Audit and workload accounts and the
    Workloads (with a nested Prod) and Sandbox OUs, per test."""

    def setUp(self) -> None:
        app().reset()
        self.organizations = client("organizations")
        self.organization = self.organizations.create_organization(FeatureSet="ALL")["Organization"]
        self.root = self.organizations.list_roots()["Roots"][0]["Id"]
        self.log_archive, self.audit, self.workload = (self.create_account(n) for n in ("log", "audit", "workload"))
        self.workloads = self.create_ou("Workloads", self.root)
        self.prod = self.create_ou("Prod", self.workloads["Id"])
        self.sandbox = self.create_ou("Sandbox", self.root)
        self.ct = client("controltower")

    def create_account(self, name: str) -> str:
        status = self.organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        return status["CreateAccountStatus"]["AccountId"]

    def create_ou(self, name: str, parent: str) -> dict:
        return self.organizations.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]

    def manifest(self, **extra: Any) -> dict:
        return {
            "governedRegions": [HOME, "us-west-2"],
            "organizationStructure": {"security": {"name": "Security"}},
            "centralizedLogging": {"accountId": self.log_archive,
                                   "configurations": {"loggingBucket": {"retentionDays": 365},
                                                      "accessLoggingBucket": {"retentionDays": 3650}},
                                   "enabled": True},
            "securityRoles": {"accountId": self.audit},
            "accessManagement": {"enabled": True},
            **extra,
        }

    def create_landing_zone(self, version: str = "3.2", **extra: Any) -> dict:
        return self.ct.create_landing_zone(version=version, manifest=self.manifest(**extra))

    def security_ou(self) -> dict:
        ous = self.organizations.list_organizational_units_for_parent(ParentId=self.root)["OrganizationalUnits"]
        return next(ou for ou in ous if ou["Name"] == "Security")

    def assert_refused(self, call, code: str, status: int, **params) -> dict:
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(**params)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status)
        return error["Error"]


class LandingZone(Organization):
    def test_nothing_is_there_before_a_landing_zone(self):
        self.assertEqual(self.ct.list_landing_zones()["landingZones"], [])
        self.assertEqual(self.ct.list_enabled_controls()["enabledControls"], [])
        self.assertEqual(self.ct.list_enabled_baselines()["enabledBaselines"], [])

    def test_create_and_read_the_landing_zone(self):
        created = self.create_landing_zone()
        self.assertRegex(created["arn"], rf"^arn:aws:controltower:{HOME}:{MANAGEMENT}:landingzone/[A-Z0-9]{{16}}$")
        uuid.UUID(created["operationIdentifier"])
        self.assertEqual(self.ct.list_landing_zones()["landingZones"], [{"arn": created["arn"]}])
        detail = self.ct.get_landing_zone(landingZoneIdentifier=created["arn"])["landingZone"]
        self.assertEqual(detail["arn"], created["arn"])
        self.assertEqual(detail["version"], "3.2")
        self.assertEqual(detail["latestAvailableVersion"], control_tower.LATEST_VERSION)
        self.assertEqual(detail["status"], "ACTIVE")
        self.assertEqual(detail["driftStatus"], {"status": "IN_SYNC"})
        self.assertEqual(detail["manifest"], self.manifest())
        operation = self.ct.get_landing_zone_operation(operationIdentifier=created["operationIdentifier"])
        self.assertEqual(operation["operationDetails"]["operationType"], "CREATE")
        self.assertEqual(operation["operationDetails"]["status"], "SUCCEEDED")

    def test_the_landing_zone_builds_its_part_of_the_organization(self):
        self.create_landing_zone(organizationStructure={"security": {"name": "Security"},
                                                        "sandbox": {"name": "Sandbox"}})
        services = self.organizations.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
        self.assertIn(control_tower.CONTROL_TOWER_PRINCIPAL, [s["ServicePrincipal"] for s in services])
        security = self.security_ou()
        accounts = self.organizations.list_accounts_for_parent(ParentId=security["Id"])["Accounts"]
        self.assertEqual(sorted(a["Id"] for a in accounts), sorted([self.log_archive, self.audit]))
        baselines = self.ct.list_enabled_baselines()["enabledBaselines"]
        self.assertEqual(sorted(b["targetIdentifier"] for b in baselines),
                         sorted([security["Arn"], self.sandbox["Arn"]]))
        self.assertTrue(all(b["baselineIdentifier"] == BASELINE for b in baselines))
        self.assertTrue(all(b["statusSummary"]["status"] == "SUCCEEDED" for b in baselines))

    def test_another_region_has_no_landing_zone(self):
        arn = self.create_landing_zone()["arn"]
        elsewhere = client("controltower", region="eu-west-1")
        self.assertEqual(elsewhere.list_landing_zones()["landingZones"], [])
        self.assert_refused(elsewhere.get_landing_zone, "ResourceNotFoundException", 404, landingZoneIdentifier=arn)
        self.assertEqual(elsewhere.list_enabled_baselines()["enabledBaselines"], [])
        # A governed Region lists the organization's controls and baselines; the landing zone is the home's.
        governed = client("controltower", region="us-west-2")
        self.assertEqual(governed.list_landing_zones()["landingZones"], [])
        self.assertEqual(len(governed.list_enabled_baselines()["enabledBaselines"]), 1)

    def test_a_member_is_refused(self):
        self.create_landing_zone()
        ct = client("controltower", member(self.workload))
        for call in (ct.list_landing_zones, ct.list_enabled_controls, ct.list_enabled_baselines):
            error = self.assert_refused(call, "AccessDeniedException", 403)
            self.assertEqual(error["Message"], control_tower.ACCESS_DENIED)
        self.assert_refused(ct.create_landing_zone, "AccessDeniedException", 403, version="3.3",
                            manifest=self.manifest())

    def test_an_account_outside_any_organization_has_none(self):
        app().reset()
        self.assertEqual(self.ct.list_landing_zones()["landingZones"], [])
        self.assertEqual(self.ct.list_enabled_controls()["enabledControls"], [])
        self.assert_refused(self.ct.create_landing_zone, "ValidationException", 400, version="3.3",
                            manifest={"organizationStructure": {"security": {"name": "Security"}}})

    def test_one_landing_zone_per_organization(self):
        self.create_landing_zone()
        self.assert_refused(self.create_landing_zone, "ConflictException", 409)
        self.assert_refused(client("controltower", region="eu-west-1").create_landing_zone, "ConflictException", 409,
                            version="3.3", manifest=self.manifest())

    def test_invalid_landing_zones_are_refused(self):
        self.assert_refused(self.create_landing_zone, "ValidationException", 400, version="2.9")
        self.assert_refused(self.ct.create_landing_zone, "ValidationException", 400, version="3.3",
                            manifest=self.manifest(securityRoles={"accountId": self.log_archive}))
        self.assert_refused(self.ct.create_landing_zone, "ValidationException", 400, version="3.3",
                            manifest=self.manifest(securityRoles={"accountId": MANAGEMENT}))
        self.assert_refused(self.ct.create_landing_zone, "ValidationException", 400, version="3.3",
                            manifest=self.manifest(organizationStructure={}))
        self.assert_refused(self.ct.create_landing_zone, "ValidationException", 400, version="3.3",
                            manifest=self.manifest(centralizedLogging={"accountId": "000000000000"}))
        self.assertEqual(self.ct.list_landing_zones()["landingZones"], [])
        self.assert_refused(self.ct.list_landing_zones, "ValidationException", 400, nextToken="garbage")

    def test_a_consolidated_billing_organization_is_refused(self):
        app().reset()
        client("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")
        self.assert_refused(self.ct.create_landing_zone, "ValidationException", 400, version="3.3",
                            manifest={"organizationStructure": {"security": {"name": "Security"}}})

    def test_drift_update_and_reset(self):
        arn = self.create_landing_zone()["arn"]
        answer = app().control_tower.set_landing_zone_drift("DRIFTED")
        self.assertEqual(answer, {"arn": arn, "driftStatus": {"status": "DRIFTED"}})
        self.assertEqual(self.ct.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]["driftStatus"],
                         {"status": "DRIFTED"})
        # An outdated landing zone cannot be reset, only updated to the latest version.
        self.assert_refused(self.ct.reset_landing_zone, "ValidationException", 400, landingZoneIdentifier=arn)
        self.assert_refused(self.ct.update_landing_zone, "ValidationException", 400, landingZoneIdentifier=arn,
                            version="3.2", manifest=self.manifest())
        operation = self.ct.update_landing_zone(landingZoneIdentifier=arn, version=control_tower.LATEST_VERSION,
                                                manifest=self.manifest())["operationIdentifier"]
        self.assertEqual(self.ct.get_landing_zone_operation(operationIdentifier=operation)["operationDetails"]
                         ["operationType"], "UPDATE")
        detail = self.ct.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]
        self.assertEqual((detail["version"], detail["driftStatus"]["status"]),
                         (control_tower.LATEST_VERSION, "IN_SYNC"))
        app().control_tower.drift_admin({"status": "DRIFTED"})
        self.ct.reset_landing_zone(landingZoneIdentifier=arn)
        self.assertEqual(self.ct.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]["driftStatus"],
                         {"status": "IN_SYNC"})

    def test_drift_admin_refuses_what_aws_cannot_say(self):
        with self.assertRaises(ValueError):
            app().control_tower.set_landing_zone_drift("DRIFTED")  # no landing zone yet
        self.create_landing_zone()
        for spec in ({"status": "SIDEWAYS"}, {"arn": "arn:aws:controltower:us-east-1:1:enabledcontrol/X",
                                              "status": "DRIFTED"}, {}):
            with self.assertRaises(ValueError):
                app().control_tower.drift_admin(spec)

    def test_delete_the_landing_zone(self):
        arn = self.create_landing_zone()["arn"]
        self.ct.enable_control(controlIdentifier=LEGACY_CONTROL, targetIdentifier=self.security_ou()["Arn"])
        self.ct.delete_landing_zone(landingZoneIdentifier=arn)
        self.assertEqual(self.ct.list_landing_zones()["landingZones"], [])
        self.assertEqual(self.ct.list_enabled_controls()["enabledControls"], [])
        self.assert_refused(self.ct.get_landing_zone, "ResourceNotFoundException", 404, landingZoneIdentifier=arn)

    def test_tags(self):
        arn = self.create_landing_zone()["arn"]
        self.ct.tag_resource(resourceArn=arn, tags={"team": "platform"})
        self.assertEqual(self.ct.list_tags_for_resource(resourceArn=arn)["tags"], {"team": "platform"})
        self.assert_refused(self.ct.list_tags_for_resource, "ResourceNotFoundException", 404,
                            resourceArn=arn.replace("landingzone/", "landingzone/X"))

    def test_unmodelled_operations_answer_unknown_operation(self):
        self.assert_refused(self.ct.list_baselines, "UnknownOperationException", 400)
        self.assert_refused(self.ct.list_landing_zone_operations, "UnknownOperationException", 400)

    def test_ids_are_the_same_on_every_run(self):
        def run() -> list[str]:
            self.setUp()
            created = self.create_landing_zone()
            enabled = self.ct.enable_control(controlIdentifier=LEGACY_CONTROL,
                                             targetIdentifier=self.security_ou()["Arn"])
            return [created["arn"].rsplit("/", 1)[1], created["operationIdentifier"],
                    enabled["arn"].rsplit("/", 1)[1], enabled["operationIdentifier"]]

        self.assertEqual(run(), run())


class Controls(Organization):
    def setUp(self) -> None:
        super().setUp()
        self.create_landing_zone()
        self.security = self.security_ou()

    def enable(self, control: str, target: str, ct=None) -> dict:
        return (ct or self.ct).enable_control(controlIdentifier=control, targetIdentifier=target)

    def register(self, ou: dict) -> None:
        self.ct.enable_baseline(baselineIdentifier=BASELINE, baselineVersion="4.0", targetIdentifier=ou["Arn"])

    def test_enable_a_control_and_read_it_back(self):
        enabled = self.enable(LEGACY_CONTROL, self.security["Arn"])
        self.assertRegex(enabled["arn"], rf"^arn:aws:controltower:{HOME}:{MANAGEMENT}:enabledcontrol/[A-Z0-9]{{17}}$")
        [listed] = self.ct.list_enabled_controls(targetIdentifier=self.security["Arn"])["enabledControls"]
        self.assertEqual(listed, {
            "arn": enabled["arn"], "controlIdentifier": LEGACY_CONTROL, "targetIdentifier": self.security["Arn"],
            "statusSummary": {"status": "SUCCEEDED", "lastOperationIdentifier": enabled["operationIdentifier"]},
            "driftStatusSummary": {"driftStatus": "IN_SYNC"},
        })
        details = self.ct.get_enabled_control(enabledControlIdentifier=enabled["arn"])["enabledControlDetails"]
        self.assertEqual(details["targetRegions"], [{"name": HOME}, {"name": "us-west-2"}])
        operation = self.ct.get_control_operation(operationIdentifier=enabled["operationIdentifier"])
        self.assertEqual(operation["controlOperation"]["operationType"], "ENABLE_CONTROL")
        self.assertEqual(operation["controlOperation"]["status"], "SUCCEEDED")
        self.assertEqual(operation["controlOperation"]["enabledControlIdentifier"], enabled["arn"])

    def test_controls_need_a_registered_ou(self):
        error = self.assert_refused(self.enable, "ValidationException", 400, control=LEGACY_CONTROL,
                                    target=self.workloads["Arn"])
        self.assertIn("not registered", error["Message"])
        self.register(self.workloads)
        self.enable(LEGACY_CONTROL, self.workloads["Arn"])
        # The Sandbox OU stays ungoverned; a nested OU needs registering of its own.
        self.assert_refused(self.enable, "ValidationException", 400, control=LEGACY_CONTROL, target=self.sandbox["Arn"])
        self.assert_refused(self.enable, "ValidationException", 400, control=LEGACY_CONTROL, target=self.prod["Arn"])

    def test_refused_controls(self):
        self.assert_refused(self.enable, "ValidationException", 400, control="arn:aws:iam::aws:policy/Nope",
                            target=self.security["Arn"])
        unknown = self.security["Arn"].rsplit("/", 1)[0] + "/ou-zzzz-zzzzzzzz"
        self.assert_refused(self.enable, "ResourceNotFoundException", 404, control=LEGACY_CONTROL, target=unknown)
        self.enable(LEGACY_CONTROL, self.security["Arn"])
        self.assert_refused(self.enable, "ValidationException", 400, control=LEGACY_CONTROL,
                            target=self.security["Arn"])
        self.assert_refused(self.enable, "ValidationException", 400, control=LEGACY_CONTROL,
                            target=self.security["Arn"], ct=client("controltower", region="eu-west-1"))
        self.assert_refused(self.enable, "AccessDeniedException", 403, control=LEGACY_CONTROL,
                            target=self.security["Arn"], ct=client("controltower", member(self.workload)))

    def test_list_by_target_and_with_children(self):
        self.register(self.workloads)
        self.register(self.prod)
        on_security = self.enable(LEGACY_CONTROL, self.security["Arn"])["arn"]
        on_workloads = self.enable(CATALOG_CONTROL.format("aaa111"), self.workloads["Arn"])["arn"]
        on_prod = self.enable(CATALOG_CONTROL.format("bbb222"), self.prod["Arn"])["arn"]

        def arns(**params) -> list[str]:
            return [c["arn"] for c in self.ct.list_enabled_controls(**params)["enabledControls"]]

        self.assertEqual(arns(), [on_security, on_workloads, on_prod])
        self.assertEqual(arns(targetIdentifier=self.workloads["Arn"]), [on_workloads])
        self.assertEqual(arns(targetIdentifier=self.workloads["Arn"], includeChildren=True), [on_workloads, on_prod])
        self.assertEqual(arns(targetIdentifier=self.sandbox["Arn"]), [])
        account_arn = next(a["Arn"] for a in self.organizations.list_accounts()["Accounts"] if a["Id"] == self.audit)
        self.assertEqual(arns(targetIdentifier=account_arn), [])
        self.assertEqual(arns(filter={"controlIdentifiers": [LEGACY_CONTROL]}), [on_security])
        self.assert_refused(self.ct.list_enabled_controls, "ResourceNotFoundException", 404,
                            targetIdentifier=self.workloads["Arn"] + "x")

    def test_list_pages(self):
        controls = [self.enable(CATALOG_CONTROL.format(f"c{n}"), self.security["Arn"])["arn"] for n in range(5)]
        seen, token, pages = [], None, 0
        while True:
            params: dict[str, Any] = {"maxResults": 2, **({"nextToken": token} if token else {})}
            answer = self.ct.list_enabled_controls(**params)
            seen += [c["arn"] for c in answer["enabledControls"]]
            pages += 1
            token = answer.get("nextToken")
            if not token:
                break
        self.assertEqual((seen, pages), (controls, 3))
        self.assertEqual(len(self.ct.list_enabled_controls()["enabledControls"]), 5)
        self.assert_refused(self.ct.list_enabled_controls, "ValidationException", 400, maxResults=201)
        self.assert_refused(self.ct.list_enabled_controls, "ValidationException", 400, nextToken="%%%")

    def test_drift_of_one_control(self):
        drifted = self.enable(LEGACY_CONTROL, self.security["Arn"])["arn"]
        in_sync = self.enable(CATALOG_CONTROL.format("ok1"), self.security["Arn"])["arn"]
        answer = app().control_tower.drift_admin({"arn": drifted, "status": "DRIFTED"})
        self.assertEqual(answer["driftStatusSummary"], {"driftStatus": "DRIFTED"})
        listed = {c["arn"]: c["driftStatusSummary"]["driftStatus"]
                  for c in self.ct.list_enabled_controls()["enabledControls"]}
        self.assertEqual(listed, {drifted: "DRIFTED", in_sync: "IN_SYNC"})
        only = self.ct.list_enabled_controls(filter={"driftStatuses": ["DRIFTED"]})["enabledControls"]
        self.assertEqual([c["arn"] for c in only], [drifted])
        operation = self.ct.reset_enabled_control(enabledControlIdentifier=drifted)["operationIdentifier"]
        details = self.ct.get_enabled_control(enabledControlIdentifier=drifted)["enabledControlDetails"]
        self.assertEqual(details["driftStatusSummary"], {"driftStatus": "IN_SYNC"})
        self.assertEqual(details["statusSummary"]["lastOperationIdentifier"], operation)

    def test_disable_a_control(self):
        enabled = self.enable(LEGACY_CONTROL, self.security["Arn"])
        self.ct.disable_control(controlIdentifier=LEGACY_CONTROL, targetIdentifier=self.security["Arn"])
        self.assertEqual(self.ct.list_enabled_controls()["enabledControls"], [])
        self.assert_refused(self.ct.get_enabled_control, "ResourceNotFoundException", 404,
                            enabledControlIdentifier=enabled["arn"])
        self.assert_refused(self.ct.disable_control, "ResourceNotFoundException", 404,
                            enabledControlIdentifier=enabled["arn"])

    def test_baselines(self):
        enabled = self.ct.enable_baseline(baselineIdentifier=BASELINE, baselineVersion="4.0",
                                          targetIdentifier=self.workloads["Arn"],
                                          parameters=[{"key": "IdentityCenterEnabledBaselineArn", "value": "x"}])
        self.assertRegex(enabled["arn"], rf"^arn:aws:controltower:{HOME}:{MANAGEMENT}:enabledbaseline/[A-Z0-9]{{17}}$")
        details = self.ct.get_enabled_baseline(enabledBaselineIdentifier=enabled["arn"])["enabledBaselineDetails"]
        self.assertEqual((details["baselineVersion"], details["targetIdentifier"]), ("4.0", self.workloads["Arn"]))
        self.assertEqual(details["parameters"], [{"key": "IdentityCenterEnabledBaselineArn", "value": "x"}])
        operation = self.ct.get_baseline_operation(operationIdentifier=enabled["operationIdentifier"])
        self.assertEqual(operation["baselineOperation"]["operationType"], "ENABLE_BASELINE")
        only = self.ct.list_enabled_baselines(filter={"targetIdentifiers": [self.workloads["Arn"]]})
        self.assertEqual([b["arn"] for b in only["enabledBaselines"]], [enabled["arn"]])
        app().control_tower.drift_admin({"arn": enabled["arn"], "status": "DRIFTED"})
        drifted = self.ct.list_enabled_baselines(filter={"inheritanceDriftStatuses": ["DRIFTED"]})["enabledBaselines"]
        self.assertEqual([b["driftStatusSummary"] for b in drifted],
                         [{"types": {"inheritance": {"status": "DRIFTED"}}}])
        self.assert_refused(self.ct.enable_baseline, "ValidationException", 400, baselineIdentifier=BASELINE,
                            baselineVersion="4.0", targetIdentifier=self.workloads["Arn"])
        account_arn = next(a["Arn"] for a in self.organizations.list_accounts()["Accounts"] if a["Id"] == self.audit)
        self.assert_refused(self.ct.enable_baseline, "ResourceNotFoundException", 404, baselineIdentifier=BASELINE,
                            baselineVersion="4.0", targetIdentifier=account_arn)
        self.ct.disable_baseline(enabledBaselineIdentifier=enabled["arn"])
        self.assert_refused(self.ct.get_enabled_baseline, "ResourceNotFoundException", 404,
                            enabledBaselineIdentifier=enabled["arn"])

    def test_baselines_page(self):
        for ou in (self.workloads, self.prod):
            self.register(ou)
        first = self.ct.list_enabled_baselines(maxResults=5)
        self.assertEqual(len(first["enabledBaselines"]), 3)  # Security, Workloads, Prod
        self.assertNotIn("nextToken", first)
        self.assert_refused(self.ct.list_enabled_baselines, "ValidationException", 400, maxResults=101)

    def test_tags_on_an_enabled_control(self):
        arn = self.ct.enable_control(controlIdentifier=LEGACY_CONTROL, targetIdentifier=self.security["Arn"],
                                     tags={"owner": "security"})["arn"]
        self.assertEqual(self.ct.list_tags_for_resource(resourceArn=arn)["tags"], {"owner": "security"})

    def test_reset_forgets_everything(self):
        self.enable(LEGACY_CONTROL, self.security["Arn"])
        app().reset()
        self.assertEqual(app().control_tower.controls, {})
        self.assertEqual(app().control_tower.landing_zones, {})
        self.assertTrue(re.fullmatch(r"[A-Z0-9]{16}", app().control_tower._resource_id("x", 16)))


if __name__ == "__main__":
    unittest.main()
