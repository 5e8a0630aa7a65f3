import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv/dist/2020";
import { parse } from "yaml";
import { deployStatements, moduleOf, PASSED_TO_SERVICES, PLATFORM_SERVICES } from "../../delivery/permissions";
import { SECTIONS } from "../../delivery/config";
import { globMatch } from "../../policy/lib";
import { DELIVERY_BEGIN, DELIVERY_END, DELIVERY_REFERENCE_FILE, renderDeliveryReference } from "../../tools/config-docs";
import { doc, PROJECT_DIR, planOf } from "../helpers/plan";
import { deliveryPlan, DELIVERY_DIR, list } from "./helpers";

const STACKS = ["dev", "prod"];


describe("the deploy role covers the platform", () => {
    it("may create what the stack puts in us-east-1 (CloudFront's log delivery) even when its home region is elsewhere", () => {
        const guard = { accountId: "123456789012", environmentTag: "staging", prefix: "platform-delivery", keyArns: [], bucketArns: [], secretArns: [], boundaryPolicyArn: "arn:aws:iam::123456789012:policy/platform-delivery/platform-staging-boundary" };
        const statements = deployStatements(["eu-west-1"], guard) as any[];
        const allowedIn = (action: string, region: string) =>
            statements.some((s) => (s.Effect ?? "Allow") === "Allow" && list(s.Action).some((a) => globMatch(a, action, true)) && (!s.Condition || list(s.Condition.StringEquals?.["aws:RequestedRegion"]).includes(region)));
        // The calls behind the us-east-1 provider's resources in the dev plan.
        const CALLS: Record<string, string[]> = {
            "aws:cloudwatch/logDeliverySource:LogDeliverySource": ["logs:PutDeliverySource", "logs:GetDeliverySource", "logs:DeleteDeliverySource"],
            "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": ["logs:PutDeliveryDestination", "logs:PutDeliveryDestinationPolicy", "logs:DeleteDeliveryDestination"],
            "aws:cloudwatch/logDelivery:LogDelivery": ["logs:CreateDelivery", "logs:GetDelivery", "logs:DeleteDelivery", "logs:DescribeDeliveries"],
            "aws:wafv2/webAcl:WebAcl": ["wafv2:CreateWebACL", "wafv2:UpdateWebACL"],
        };
        const plan = planOf("prod");
        const east = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "aws-us-east-1")!;
        const types = [...new Set(plan.resources.filter((r) => r.options.provider === east.urn).map((r) => r.type))];
        assert.ok(types.length > 0);
        for (const type of types) {
            assert.ok(CALLS[type], `${type} is created in us-east-1: list its calls here and let Deploy make them`);
            for (const action of CALLS[type]) assert.ok(allowedIn(action, "us-east-1"), `${action} in us-east-1 for a stack in eu-west-1`);
        }
        assert.ok(!allowedIn("logs:DeleteLogGroup", "us-east-1"), "only log delivery, not all of CloudWatch Logs, in us-east-1");
    });

    it("knows the AWS service of every resource type the platform stacks create", () => {
        const missing = new Set<string>();
        for (const stack of STACKS) {
            for (const r of planOf(stack).resources) {
                const mod = moduleOf(r.type);
                if (mod && !(mod in PLATFORM_SERVICES)) missing.add(`${mod} (${r.type})`);
            }
        }
        assert.deepEqual([...missing], [], "add these modules to PLATFORM_SERVICES in delivery/permissions.ts, or Deploy is denied them");
    });

    it("may pass each platform role to the service that assumes it", () => {
        for (const stack of STACKS) {
            for (const role of planOf(stack).resources.filter((r) => r.type === "aws:iam/role:Role")) {
                for (const s of doc(role.inputs.assumeRolePolicy).Statement) {
                    for (const service of list(s.Principal?.Service)) assert.ok(PASSED_TO_SERVICES.includes(service), `${stack}: ${role.name} is assumed by ${service}, which iam:PassRole does not list`);
                }
            }
        }
    });
});

describe("the delivery project", () => {
    const project: any = parse(fs.readFileSync(path.join(DELIVERY_DIR, "Pulumi.yaml"), "utf8"));

    it("is a Pulumi project the CLI accepts, distinct from the platform", () => {
        const schemaPath = path.resolve(PROJECT_DIR, "..", "shared", "schemas", "pulumi-project.schema.json");
        const localCopy = path.join(PROJECT_DIR, "tests", "fixtures", "pulumi-project.schema.json");
        const validate = new Ajv({ strict: false }).compile(JSON.parse(fs.readFileSync(fs.existsSync(schemaPath) ? schemaPath : localCopy, "utf8")));
        const valid: boolean = validate(project);
        assert.ok(valid, JSON.stringify(validate.errors, null, 2));
        assert.equal(project.name, "platform-delivery");
        assert.notEqual(project.name, parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")).name);
        assert.equal(project.main, "index.ts");
        // ts-node under `pulumi up` compiles with the repository's settings.
        assert.equal(JSON.parse(fs.readFileSync(path.join(DELIVERY_DIR, "tsconfig.json"), "utf8")).extends, "../tsconfig.json");
    });

    it("declares every config section, as an object with a default, described as in the schema", () => {
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(SECTIONS).sort());
        for (const [key, section] of Object.entries(SECTIONS)) {
            assert.equal(project.config[key].type, undefined, key);
            assert.deepEqual(project.config[key].default, {}, key);
            assert.equal(project.config[key].description, section.description, key);
        }
    });

    it("is documented in delivery/README.md: its outputs and its generated config reference (run `npm run docs`)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, DELIVERY_REFERENCE_FILE), "utf8");
        const block = readme.slice(readme.indexOf(DELIVERY_BEGIN), readme.indexOf(DELIVERY_END) + DELIVERY_END.length);
        assert.equal(block, renderDeliveryReference());
        const index = fs.readFileSync(path.join(DELIVERY_DIR, "index.ts"), "utf8");
        const exported = [...index.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
        assert.ok(exported.length > 0);
        for (const name of exported) {
            assert.ok(readme.includes(`\`${name}\``), `delivery/README.md does not document delivery output ${name}`);
            assert.ok(name in deliveryPlan().outputs || name === "sourceConnectionStatus", `the plan lacks output ${name}`);
        }
    });
});
