import { strict as assert } from "assert";
import { modelVpc } from "../../tools/awsx-model";
import { doc, one, planOf } from "../helpers/plan";

const expectations = {
    dev: { azs: 2, natStrategy: "Single", nats: 1, trafficType: "REJECT", retention: 14 },
    prod: { azs: 3, natStrategy: "OnePerAz", nats: 3, trafficType: "ALL", retention: 365 },
};

for (const [stack, want] of Object.entries(expectations)) {
    describe(`${stack} network`, () => {
        const plan = () => planOf(stack);
        const vpc = () => one(plan(), "awsx:ec2:Vpc");

        it(`spans ${want.azs} AZs with public, private and isolated subnets`, () => {
            const inputs = vpc().inputs as any;
            assert.equal(inputs.numberOfAvailabilityZones, want.azs);
            assert.deepEqual(
                inputs.subnetSpecs.map((s: any) => s.type),
                ["Public", "Private", "Isolated"],
            );
            const outputs = plan().outputs as any;
            for (const tier of ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"]) assert.equal(outputs[tier].length, want.azs, tier);
        });

        it(`has ${want.nats} NAT gateway(s) (${want.natStrategy})`, () => {
            const inputs = vpc().inputs as any;
            assert.equal(inputs.natGateways.strategy, want.natStrategy);
            assert.equal(modelVpc(inputs, "us-east-1", (k, key) => `${k}-${key}`).natGateways.length, want.nats);
        });

        it("routes S3 and DynamoDB through gateway endpoints on every route table", () => {
            const inputs = vpc().inputs as any;
            assert.equal(inputs.vpcEndpointStrategy, "Auto");
            assert.deepEqual(
                inputs.vpcEndpointSpecs.map((e: any) => [e.serviceName, e.vpcEndpointType]),
                [
                    ["com.amazonaws.us-east-1.s3", "Gateway"],
                    ["com.amazonaws.us-east-1.dynamodb", "Gateway"],
                ],
            );
        });

        it(`logs ${want.trafficType} flows to an encrypted log group kept ${want.retention} days`, () => {
            const flowLog = one(plan(), "aws:ec2/flowLog:FlowLog");
            const group = one(plan(), "aws:cloudwatch/logGroup:LogGroup", "flow-logs");
            assert.equal(flowLog.inputs.trafficType, want.trafficType);
            assert.equal(flowLog.inputs.logDestinationType, "cloud-watch-logs");
            assert.equal(flowLog.inputs.logDestination, group.outputs.arn);
            assert.equal(flowLog.inputs.vpcId, (plan().outputs as any).vpcId);
            assert.equal(group.inputs.retentionInDays, want.retention);
            assert.match(String(group.inputs.kmsKeyId), /^arn:aws:kms:/);
        });

        it("the flow-log role trusts only VPC Flow Logs and writes only its log group", () => {
            const role = one(plan(), "aws:iam/role:Role", "flow-logs");
            const trust = doc(role.inputs.assumeRolePolicy).Statement;
            assert.deepEqual(
                trust.map((s) => s.Principal),
                [{ Service: "vpc-flow-logs.amazonaws.com" }],
            );
            const policy = doc(one(plan(), "aws:iam/rolePolicy:RolePolicy", "flow-logs").inputs.policy).Statement;
            const group = one(plan(), "aws:cloudwatch/logGroup:LogGroup", "flow-logs");
            assert.deepEqual(policy[0].Resource, [group.outputs.arn, `${group.outputs.arn}:*`]);
        });

        it("strips every rule from the default security group", () => {
            const sg = one(plan(), "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
            assert.equal(sg.inputs.ingress, undefined);
            assert.equal(sg.inputs.egress, undefined);
        });

        it("tags every AWS resource through the provider's defaultTags", () => {
            const [provider] = plan().resources.filter((r) => r.type === "pulumi:providers:aws" && r.name === "aws");
            const tags = JSON.parse(provider.inputs.defaultTags as string).tags;
            assert.equal(tags.environment, stack);
            assert.equal(tags.project, "platform");
            assert.equal(tags.owner, "platform-team");
            // The home provider, or the us-east-1 one CloudFront's WAF and log delivery need, with the same tags.
            const usEast1 = one(plan(), "pulumi:providers:aws", "aws-us-east-1");
            assert.equal(usEast1.inputs.region, "us-east-1");
            assert.deepEqual(JSON.parse(usEast1.inputs.defaultTags as string).tags, tags);
            const untied = plan().resources.filter(
                (r) => r.custom && r.type.startsWith("aws:") && r.options.provider !== provider.urn && r.options.provider !== usEast1.urn,
            );
            assert.deepEqual(
                untied.map((r) => r.urn),
                [],
            );
        });

        it("encrypts with a rotating KMS key, protected in prod", () => {
            const key = one(plan(), "aws:kms/key:Key");
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(key.options.protect, stack === "prod");
        });
    });
}
