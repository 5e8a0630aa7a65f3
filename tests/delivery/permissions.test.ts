import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv/dist/2020";
import { parse } from "yaml";
import { BEANSTALK_COMPONENT, deployStatements, moduleOf, PLATFORM_SERVICES } from "../../delivery/permissions";
import { SECTIONS } from "../../delivery/config";
import { globMatch } from "../../policy/lib";
import { DELIVERY_BEGIN, DELIVERY_END, DELIVERY_REFERENCE_FILE, renderDeliveryReference } from "../../tools/config-docs";
import { doc, PROJECT_DIR, planOf } from "../helpers/plan";
import { allowsRequest, deliveryPlan, DELIVERY_DIR, list, roleOf, type Request } from "./helpers";

const STACKS = ["dev", "prod"];

describe("the deploy role covers the platform", () => {
    it("may create what the stack puts in us-east-1 (CloudFront's log delivery) even when its home region is elsewhere", () => {
        const guard = {
            accountId: "123456789012",
            stack: "staging",
            environmentTag: "staging",
            prefix: "platform-delivery",
            keyArns: [],
            bucketArns: [],
            secretArns: [],
            boundaryPolicyArn: "arn:aws:iam::123456789012:policy/platform-delivery/platform-staging-boundary",
        };
        const statements = deployStatements(["eu-west-1"], guard) as any[];
        const allowedIn = (action: string, region: string) =>
            statements.some(
                (s) =>
                    (s.Effect ?? "Allow") === "Allow" &&
                    list(s.Action).some((a) => globMatch(a, action, true)) &&
                    (!s.Condition || list(s.Condition.StringEquals?.["aws:RequestedRegion"]).includes(region)),
            );
        // The calls behind the us-east-1 provider's resources in the dev plan.
        const CALLS: Record<string, string[]> = {
            "aws:cloudwatch/logDeliverySource:LogDeliverySource": ["logs:PutDeliverySource", "logs:GetDeliverySource", "logs:DeleteDeliverySource"],
            "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": [
                "logs:PutDeliveryDestination",
                "logs:PutDeliveryDestinationPolicy",
                "logs:DeleteDeliveryDestination",
            ],
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

    it("knows the AWS service of every resource type the platform stacks create (either web runtime)", () => {
        const missing = new Set<string>();
        for (const stack of [...STACKS, "prod-beanstalk"]) {
            for (const r of planOf(stack).resources) {
                const mod = moduleOf(r.type);
                if (mod && !(mod in PLATFORM_SERVICES)) missing.add(`${mod} (${r.type})`);
            }
        }
        assert.deepEqual([...missing], [], "add these modules to PLATFORM_SERVICES in delivery/permissions.ts, or Deploy is denied them");
    });

    it("may pass each platform role to the service that assumes it (either web runtime)", () => {
        const delivery = deliveryPlan();
        for (const stack of [...STACKS, "prod-beanstalk"]) {
            const { statements } = roleOf(delivery, stack.replace(/-beanstalk$/, ""), "deploy");
            for (const role of planOf(stack).resources.filter((r) => r.type === "aws:iam/role:Role")) {
                const environment = stack.replace(/-beanstalk$/, "");
                for (const s of doc(role.inputs.assumeRolePolicy).Statement) {
                    for (const service of list(s.Principal?.Service)) {
                        const pass = {
                            action: "iam:PassRole",
                            resource: String(role.outputs.arn),
                            context: { "iam:PassedToService": service, "aws:ResourceTag/environment": environment },
                        };
                        assert.ok(allowsRequest(statements, pass), `${stack}: ${role.name} is assumed by ${service}, which Deploy may not pass it to`);
                    }
                }
            }
        }
    });

    describe("under web.runtime beanstalk (Service Authorization Reference: Elastic Beanstalk, IAM; Elastic Beanstalk's user and service role policies)", () => {
        const plan = () => planOf("prod-beanstalk");
        const deploy = (stack: string) => roleOf(deliveryPlan(), stack, "deploy").statements;
        const arnOf = (type: string, name: string) => String(plan().resources.find((r) => r.type === type && r.name === name)!.outputs.arn);
        const inRegion = (action: string, resource: string, context: Record<string, string> = {}): Request => ({
            action,
            resource,
            context: { "aws:RequestedRegion": "us-east-1", ...context },
        });

        it("creates, updates and deletes the stack's own application, versions and environment, and nothing of another stack's", () => {
            const app = arnOf("aws:elasticbeanstalk/application:Application", "web-beanstalk-app");
            const version = arnOf("aws:elasticbeanstalk/applicationVersion:ApplicationVersion", "web-beanstalk-version");
            const env = arnOf("aws:elasticbeanstalk/environment:Environment", "web-beanstalk-env");
            for (const [action, resource] of [
                ["elasticbeanstalk:CreateApplication", app],
                ["elasticbeanstalk:UpdateApplicationResourceLifecycle", app],
                ["elasticbeanstalk:DeleteApplication", app],
                ["elasticbeanstalk:CreateApplicationVersion", version],
                ["elasticbeanstalk:DeleteApplicationVersion", version],
                ["elasticbeanstalk:CreateEnvironment", env],
                ["elasticbeanstalk:UpdateEnvironment", env],
                ["elasticbeanstalk:TerminateEnvironment", env],
                ["elasticbeanstalk:AddTags", env],
                // Read-only or resource-less: solution stack lookup, the account's storage bucket.
                ["elasticbeanstalk:ListAvailableSolutionStacks", "*"],
                ["elasticbeanstalk:DescribeEnvironments", "*"],
                ["elasticbeanstalk:CreateStorageLocation", "*"],
                // Elastic Beanstalk builds the environment as a CloudFormation stack with the caller's credentials.
                [
                    "cloudformation:CreateStack",
                    "arn:aws:cloudformation:us-east-1:123456789012:stack/awseb-e-abc123def4-stack/0f1e2d3c-aaaa-bbbb-cccc-111122223333",
                ],
                [
                    "cloudformation:DeleteStack",
                    "arn:aws:cloudformation:us-east-1:123456789012:stack/awseb-e-abc123def4-stack/0f1e2d3c-aaaa-bbbb-cccc-111122223333",
                ],
                // aws.ebs.EncryptionByDefault and aws.autoscaling.Attachment.
                ["ec2:EnableEbsEncryptionByDefault", "*"],
                ["ec2:GetEbsEncryptionByDefault", "*"],
                ["autoscaling:AttachLoadBalancerTargetGroups", "*"],
                ["autoscaling:DetachLoadBalancerTargetGroups", "*"],
            ]) {
                assert.ok(allowsRequest(deploy("prod"), inRegion(action, resource)), `prod Deploy: ${action} on ${resource}`);
            }
            for (const [action, resource] of [
                ["elasticbeanstalk:DeleteApplication", app.replace(/-prod$/, "-dev")],
                ["elasticbeanstalk:UpdateEnvironment", env.replace("web-beanstalk-prod/", "other-app/")],
                ["cloudformation:DeleteStack", "arn:aws:cloudformation:us-east-1:123456789012:stack/platform-network/0f1e2d3c-aaaa-bbbb-cccc-111122223333"],
            ]) {
                assert.ok(!allowsRequest(deploy("prod"), inRegion(action, resource)), `prod Deploy must not: ${action} on ${resource}`);
            }
            assert.ok(!allowsRequest(deploy("dev"), inRegion("elasticbeanstalk:UpdateEnvironment", env)), "dev Deploy must not update prod's environment");
            assert.ok(
                !allowsRequest(deploy("prod"), {
                    action: "elasticbeanstalk:CreateEnvironment",
                    resource: env,
                    context: { "aws:RequestedRegion": "eu-west-1" },
                }),
                "only in the stack's regions",
            );
            const wholeBeanstalk = deploy("prod").filter(
                (s) =>
                    (s.Effect ?? "Allow") === "Allow" &&
                    list(s.Action).some((a) => /^(elasticbeanstalk|cloudformation):\*$/.test(a)) &&
                    list(s.Resource).includes("*"),
            );
            assert.deepEqual(wholeBeanstalk, [], "Elastic Beanstalk and CloudFormation are never granted whole");
        });

        it("passes exactly the stack's Beanstalk service role to Elastic Beanstalk, and its instance role to EC2", () => {
            const serviceRole = arnOf("aws:iam/role:Role", `${BEANSTALK_COMPONENT}-service-role`);
            const instanceRole = arnOf("aws:iam/role:Role", "web-instance-role");
            const pass = (resource: string, service: string, environment = "prod") => ({
                action: "iam:PassRole",
                resource,
                context: { "iam:PassedToService": service, "aws:ResourceTag/environment": environment },
            });
            assert.ok(allowsRequest(deploy("prod"), pass(serviceRole, "elasticbeanstalk.amazonaws.com")));
            assert.ok(allowsRequest(deploy("prod"), pass(instanceRole, "ec2.amazonaws.com")));
            // Not another role, not another stack's service role, not the delivery's roles.
            for (const other of [
                instanceRole,
                "arn:aws:iam::123456789012:role/analytics-spark-service-role-a18bf04",
                "arn:aws:iam::123456789012:role/platform-delivery/prod/deploy",
            ]) {
                assert.ok(!allowsRequest(deploy("prod"), pass(other, "elasticbeanstalk.amazonaws.com")), other);
            }
            assert.ok(!allowsRequest(deploy("prod"), pass(serviceRole, "elasticbeanstalk.amazonaws.com", "dev")), "dev's Beanstalk service role");
            assert.ok(!allowsRequest(deploy("dev"), pass(serviceRole, "elasticbeanstalk.amazonaws.com")), "dev Deploy passing prod's");
        });
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
