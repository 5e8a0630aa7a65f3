import { strict as assert } from "assert";
import { GLOBAL_TABLE_DEFAULTS, GlobalTable, READ_WRITE_ACTIONS, STREAM_READ_ACTIONS } from "../../components/global-table";
import { defaults } from "../../config/sections/global-table";
import type { Plan } from "../../tools/engine";
import { render } from "../helpers/component";
import { omit } from "../helpers/object";
import { one } from "../helpers/plan";
import { all, clientRole, profiles, statementsFor } from "../helpers/data-stores";

const TABLE = "aws:dynamodb/table:Table";

function renderTable(profile: "dev" | "prod", overrides: Partial<typeof defaults.dev> = {}): Promise<Plan> {
    return render(() => {
        const table = new GlobalTable("data", { ...defaults[profile], ...overrides, ...profiles[profile] });
        table.grantReadWrite(clientRole("web-role"));
        table.grantStreamRead(clientRole("projector-role"));
    });
}

describe("GlobalTable component", () => {
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await renderTable("dev");
        prod = await renderTable("prod", { replicaRegions: ["us-west-2", "eu-west-1"] });
    });

    it("without billingMode, targetUtilizationPercent or ttlAttribute: on demand, expiring items by expiresAt (the documented defaults)", async () => {
        const rest = omit(defaults.dev, "billingMode", "targetUtilizationPercent", "ttlAttribute");
        const plan = await render(() => new GlobalTable("data", { ...rest, ...profiles.dev }));
        const t = one(plan, TABLE).inputs as any;
        assert.equal(t.billingMode, GLOBAL_TABLE_DEFAULTS.billingMode);
        assert.equal(t.billingMode, "PAY_PER_REQUEST");
        assert.deepEqual(t.ttl, { attributeName: "expiresAt", enabled: true });
    });

    it("keys items by string pk and sk", () => {
        const t = one(dev, TABLE).inputs;
        assert.equal(t.hashKey, "pk");
        assert.equal(t.rangeKey, "sk");
        assert.deepEqual(t.attributes, [
            { name: "pk", type: "S" },
            { name: "sk", type: "S" },
        ]);
    });

    it("streams NEW_AND_OLD_IMAGES, keeps PITR, encrypts, and expires items by TTL", () => {
        for (const plan of [dev, prod]) {
            const t = one(plan, TABLE).inputs as any;
            assert.equal(t.streamEnabled, true);
            assert.equal(t.streamViewType, "NEW_AND_OLD_IMAGES");
            assert.equal(t.pointInTimeRecovery.enabled, true);
            // KMS with the AWS-managed key, which exists in every replica region (see the component).
            assert.deepEqual(t.serverSideEncryption, { enabled: true });
            assert.deepEqual(t.ttl, { attributeName: "expiresAt", enabled: true });
        }
    });

    it("creates one replica per configured region, each with PITR (global tables 2019.11.21 through replicas)", () => {
        const replicas = one(prod, TABLE).inputs.replicas as any[];
        assert.deepEqual(
            replicas.map((r) => r.regionName),
            ["us-west-2", "eu-west-1"],
        );
        for (const r of replicas) {
            assert.equal(r.pointInTimeRecovery, true, `replica in ${r.regionName} without PITR`);
            assert.equal(r.deletionProtectionEnabled, true);
        }
        assert.deepEqual(one(dev, TABLE).inputs.replicas, []);
        assert.deepEqual(all(prod, "aws:dynamodb/tableReplica:TableReplica"), [], "Table.replicas and TableReplica are mutually exclusive");
    });

    it("dev: on demand, no deletion protection, not protected", () => {
        const t = one(dev, TABLE);
        assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
        assert.equal(t.inputs.deletionProtectionEnabled, false);
        assert.equal(t.options.protect, false);
        assert.deepEqual(all(dev, "aws:appautoscaling/target:Target"), []);
    });

    it("prod: deletion protection and Pulumi protect", () => {
        const t = one(prod, TABLE);
        assert.equal(t.inputs.deletionProtectionEnabled, true);
        assert.equal(t.options.protect, true);
    });

    it("provisioned: autoscales reads and writes by target tracking, and leaves capacity to the autoscaler", async () => {
        const plan = await renderTable("dev", {
            billingMode: "PROVISIONED",
            readCapacity: { min: 5, max: 50 },
            writeCapacity: { min: 10, max: 200 },
            targetUtilizationPercent: 60,
        });
        const t = one(plan, TABLE);
        assert.equal(t.inputs.billingMode, "PROVISIONED");
        assert.equal(t.inputs.readCapacity, 5);
        assert.equal(t.inputs.writeCapacity, 10);
        assert.deepEqual(t.options.ignoreChanges, ["readCapacity", "writeCapacity"]);
        const targets = all(plan, "aws:appautoscaling/target:Target");
        assert.deepEqual(
            targets.map((x) => [x.inputs.scalableDimension, x.inputs.minCapacity, x.inputs.maxCapacity, x.inputs.resourceId]),
            [
                ["dynamodb:table:ReadCapacityUnits", 5, 50, `table/${t.outputs.name}`],
                ["dynamodb:table:WriteCapacityUnits", 10, 200, `table/${t.outputs.name}`],
            ],
        );
        const policies = all(plan, "aws:appautoscaling/policy:Policy");
        assert.deepEqual(
            policies.map((p) => [
                p.inputs.policyType,
                p.inputs.scalableDimension,
                (p.inputs.targetTrackingScalingPolicyConfiguration as any).predefinedMetricSpecification.predefinedMetricType,
                (p.inputs.targetTrackingScalingPolicyConfiguration as any).targetValue,
            ]),
            [
                ["TargetTrackingScaling", "dynamodb:table:ReadCapacityUnits", "DynamoDBReadCapacityUtilization", 60],
                ["TargetTrackingScaling", "dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization", 60],
            ],
        );
    });

    it("grantReadWrite gives exactly the item actions on the table and its indexes", () => {
        const arn = one(dev, TABLE).outputs.arn;
        assert.deepEqual(statementsFor(dev, "web-role"), [
            { Sid: "ItemReadWrite", Effect: "Allow", Action: READ_WRITE_ACTIONS, Resource: [arn, `${arn}/index/*`] },
        ]);
        assert.deepEqual(READ_WRITE_ACTIONS, [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
        ]);
    });

    it("grantStreamRead gives exactly the stream actions on the stream alone", () => {
        const streamArn = one(dev, TABLE).outputs.streamArn as string;
        assert.match(streamArn, /:table\/.+\/stream\//);
        assert.deepEqual(statementsFor(dev, "projector-role"), [
            {
                Sid: "StreamRead",
                Effect: "Allow",
                Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                Resource: streamArn,
            },
        ]);
        assert.deepEqual(STREAM_READ_ACTIONS, ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]);
    });
});
