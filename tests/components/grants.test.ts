import { strict as assert } from "assert";
import * as path from "path";
import { createHash } from "crypto";
import { defaults as tableDefaults } from "../../config/sections/global-table";
import { defaults as webDefaults } from "../../config/sections/web";
import { GlobalTable } from "../../components/global-table";
import { grantPolicyName, Grants, type Grantee } from "../../components/grants";
import { ServiceRole } from "../../components/iam";
import { PlatformFunction } from "../../components/lambda-function";
import { WebCluster } from "../../components/web-cluster";
import type { Plan } from "../../tools/engine";
import { render, testContext } from "../helpers/component";
import { clientRole, KEY_ARN, profiles, statementsFor } from "../helpers/data-stores";
import { doc } from "../helpers/plan";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const entry = path.join(__dirname, "..", "fixtures", "echo-handler.ts");

/** Each grant policy the plan holds: its name, its parent's name and the role it attaches to. */
function grantPolicies(plan: Plan): string[] {
    return plan.resources
        .filter((r) => r.type === ROLE_POLICY && !r.name.endsWith("-policy"))
        .map((r) => `${r.name} on ${r.inputs.role}`)
        .sort();
}

describe("grants: one model, stable names", () => {
    it("names a grant policy <grantor>-<permission>-<grantee>, and two grants in either order give the same policies", async () => {
        const build = (order: "web-first" | "worker-first") => () => {
            const table = new GlobalTable("table", { ...tableDefaults.dev, ...profiles.dev });
            const [web, worker] = [clientRole("web"), clientRole("worker")];
            if (order === "web-first") {
                table.grantReadWrite(web);
                table.grantReadWrite(worker);
            } else {
                table.grantReadWrite(worker);
                table.grantReadWrite(web);
            }
        };
        const [a, b] = [await render(build("web-first")), await render(build("worker-first"))];
        assert.deepEqual(grantPolicies(a), grantPolicies(b));
        assert.deepEqual(
            a.resources
                .filter((r) => r.type === ROLE_POLICY)
                .map((r) => r.name)
                .sort(),
            ["table-read-write-web", "table-read-write-worker"],
        );
        // Each policy attaches to its own grantee's role, whichever came first.
        for (const plan of [a, b]) {
            for (const grantee of ["web", "worker"]) {
                const role = plan.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === grantee)!;
                const policy = plan.resources.find((r) => r.name === `table-read-write-${grantee}`)!;
                assert.equal(policy.inputs.role, role.outputs.name);
            }
        }
    });

    it("the web fleet, service roles and functions are grantees under their component's name, attaching to their role", async () => {
        const code = "console.log('web');";
        const plan = await render(() => {
            const table = new GlobalTable("table", { ...tableDefaults.dev, ...profiles.dev });
            const grantees: Grantee[] = [
                new WebCluster("web", {
                    ...webDefaults.dev,
                    context: testContext({ kmsKeyArn: KEY_ARN }),
                    vpcId: "vpc-0123456789abcdef0",
                    publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
                    privateSubnetIds: ["subnet-app-a", "subnet-app-b"],
                    allowPlainHttp: true,
                    service: { code, sha256: createHash("sha256").update(code).digest("hex") },
                    parameterPath: "/platform/test/web/",
                    instanceTags: { environment: "test" },
                }),
                new ServiceRole("glue", { service: "glue.amazonaws.com", description: "a job" }),
                new PlatformFunction("worker", { entry, description: "a worker", kmsKeyArn: KEY_ARN, logRetentionDays: 7 }),
            ];
            for (const g of grantees) table.grantQuery(g);
        });
        const roleOf = { web: "web-instance-role", glue: "glue", worker: "worker-role" };
        for (const [grantee, roleName] of Object.entries(roleOf)) {
            const role = plan.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === roleName)!;
            const policy = plan.resources.find((r) => r.type === ROLE_POLICY && r.name === `table-query-${grantee}`);
            assert.ok(policy, `table-query-${grantee} exists`);
            assert.equal(policy.inputs.role, role.outputs.name, `${grantee}'s grant attaches to ${roleName}`);
            assert.deepEqual(
                doc(policy.inputs.policy).Statement.map((s: any) => s.Action),
                ["dynamodb:Query"],
            );
        }
    });

    it("permissions given to a role a component builds are folded into its own policy, ahead of its own statements", async () => {
        const plan = await render(() => {
            const table = new GlobalTable("table", { ...tableDefaults.dev, ...profiles.dev });
            new ServiceRole("job", {
                service: "glue.amazonaws.com",
                description: "a job",
                grants: [table.keyedItemsPermission({ name: "own-items", sid: "OwnItems", actions: ["GetItem", "PutItem"], prefixes: ["job", "run"] })],
                statements: [{ Sid: "Metrics", Action: "cloudwatch:PutMetricData", Resource: "*" }],
            });
        });
        assert.deepEqual(
            plan.resources.filter((r) => r.type === ROLE_POLICY).map((r) => r.name),
            ["job-policy"],
            "no separate grant policy",
        );
        const table = plan.resources.find((r) => r.type === "aws:dynamodb/table:Table")!;
        const statements = statementsFor(plan, "job");
        assert.deepEqual(
            statements.map((s) => s.Sid),
            ["OwnItems", "Metrics"],
        );
        // The read model's key-prefix scoping: only items whose partition key starts with job# or run#.
        assert.deepEqual(statements[0], {
            Effect: "Allow",
            Sid: "OwnItems",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
            Resource: table.outputs.arn,
            Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["job#*", "run#*"] } },
        });
    });

    it("a component issues only its own permissions, named in kebab-case", () => {
        const owner = { urn: "x" } as never;
        const table = new Grants(owner, "table");
        const cache = new Grants(owner, "cache");
        const grantee = { granteeName: "web", roleName: "web-role" };
        assert.equal(grantPolicyName(table.permission("read-write", []), grantee), "table-read-write-web");
        assert.throws(() => cache.grant(table.permission("read-write", []), grantee), /cache cannot issue table's permission read-write/);
        assert.throws(() => table.permission("ReadWrite", []), /must be kebab-case/);
        assert.throws(() => table.permission("read-write-1 ", []), /must be kebab-case/);
    });
});
