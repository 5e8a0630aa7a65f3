import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { one, ofType, planOf, PROJECT_DIR, stackFile, type CliResult, scratchDir } from "../helpers/plan";

function run(args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [path.join(PROJECT_DIR, "tools", "run.js"), ...args], { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
    });
}

const containerDefs = (td: { inputs: Record<string, unknown> }) => JSON.parse(String(td.inputs.containerDefinitions));

for (const stack of ["dev", "prod"]) {
    describe(`${stack}: CloudFront -> ALB -> catalog -> inventory`, () => {
        const plan = planOf(stack);

        it("CloudFront sends /catalog/* to the load balancer ahead of the static paths", () => {
            const cdn = one(plan, "aws:cloudfront/distribution:Distribution");
            const behaviors = cdn.inputs.orderedCacheBehaviors as { pathPattern: string; targetOriginId: string }[];
            assert.deepEqual(
                { pathPattern: behaviors[0].pathPattern, targetOriginId: behaviors[0].targetOriginId },
                { pathPattern: "/catalog/*", targetOriginId: "alb" },
            );
        });

        it("the listener forwards /catalog/* carrying the origin header to catalog's ip target group, before the strangler's rules", () => {
            const rule = one(plan, "aws:lb/listenerRule:ListenerRule", "catalog-route");
            const conditions = rule.inputs.conditions as any[];
            assert.deepEqual(conditions[0].pathPattern.values, ["/catalog/*"]);
            assert.equal(conditions[1].httpHeader.httpHeaderName, "X-Origin-Verify");
            assert.ok(Number(rule.inputs.priority) < 100);
            const tg = one(plan, "aws:lb/targetGroup:TargetGroup", "catalog-tg");
            assert.equal(tg.inputs.targetType, "ip");
            const catalog = one(plan, "aws:ecs/service:Service", "catalog-service");
            assert.equal((catalog.inputs.loadBalancers as any[])[0].containerName, "catalog");
        });

        it("inventory is reachable by its Service Connect name from catalog only, never from the load balancer", () => {
            const inventory = one(plan, "aws:ecs/service:Service", "inventory-service");
            assert.deepEqual((inventory.inputs.loadBalancers as unknown[]) ?? [], []);
            assert.equal((inventory.inputs.serviceConnectConfiguration as any).services[0].clientAlias[0].dnsName, "inventory");
            const catalogTask = one(plan, "aws:ecs/taskDefinition:TaskDefinition", "catalog-task");
            assert.ok(containerDefs(catalogTask)[0].environment.some((e: any) => e.name === "INVENTORY_URL" && e.value === "http://inventory:8080"));
            const inventorySg = one(plan, "aws:ec2/securityGroup:SecurityGroup", "inventory-sg");
            const catalogSg = one(plan, "aws:ec2/securityGroup:SecurityGroup", "catalog-sg");
            const ingress = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                (r) => r.inputs.securityGroupId === inventorySg.outputs.id || r.inputs.securityGroupId === inventorySg.id,
            );
            assert.deepEqual(
                ingress.map((r) => r.inputs.referencedSecurityGroupId),
                [catalogSg.id ?? catalogSg.outputs.id],
            );
        });

        it("prod runs at least 2 tasks per service with Spot above an on-demand base; dev is all Spot", () => {
            for (const svc of ["catalog", "inventory"]) {
                const s = one(plan, "aws:ecs/service:Service", `${svc}-service`);
                const strategy = s.inputs.capacityProviderStrategies as { capacityProvider: string; base: number; weight: number }[];
                if (stack === "prod")
                    assert.ok(
                        strategy.some((x) => x.capacityProvider === "FARGATE" && x.base >= 2) && strategy.some((x) => x.capacityProvider === "FARGATE_SPOT"),
                    );
                else
                    assert.deepEqual(
                        strategy.map((x) => x.capacityProvider),
                        ["FARGATE_SPOT"],
                    );
            }
        });
    });
}

describe("deploying one service alone: a new imageTag for catalog", function () {
    this.timeout(300_000);
    const PROD = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").trimEnd();
    const tags = (catalog: string) =>
        stackFile(
            [PROD, "  platform:containers:", "    services:", `      catalog: { imageTag: "${catalog}" }`, '      inventory: { imageTag: "inv-1" }'].join("\n"),
        );
    let changes: { urn: string; op: string; diffs: string[] }[] = [];

    before(async () => {
        const base = await run(["plan", "--stack", "prod", "--stack-file", tags("cat-1"), "--json"]);
        assert.equal(base.status, 0, base.stderr);
        const saved = path.join(fs.mkdtempSync(path.join(scratchDir(), "platform-containers-")), "base.json");
        fs.writeFileSync(saved, base.stdout);
        const diff = await run(["diff", "--stack", "prod", "--stack-file", tags("cat-2"), "--json", "--base-plan", saved]);
        assert.ok(diff.status === 0 || diff.status === 2, diff.stderr);
        changes = JSON.parse(diff.stdout).changes.filter((c: { op: string }) => c.op !== "same");
    });

    it("changes only catalog's task definition and service; inventory keeps its tasks", () => {
        const changed = changes.map((c) => `${c.op} ${c.urn.split("::").pop()}`).sort();
        assert.deepEqual(changed, ["replace catalog-task", "update catalog-service"]);
    });
});

describe("ECS Exec on a read-only root filesystem", () => {
    it("dev (Exec on) gives the agent writable task volumes where it writes; prod (Exec off) mounts none", () => {
        for (const td of ofType(planOf("dev"), "aws:ecs/taskDefinition:TaskDefinition")) {
            const [container] = containerDefs(td);
            assert.equal(container.readonlyRootFilesystem, true, td.name);
            assert.deepEqual(
                container.mountPoints.map((m: { containerPath: string; readOnly: boolean }) => [m.containerPath, m.readOnly]),
                [
                    ["/managed-agents", false],
                    ["/var/lib/amazon/ssm", false],
                    ["/var/log/amazon/ssm", false],
                ],
                td.name,
            );
            const volumes = (td.inputs.volumes as { name: string }[]).map((v) => v.name);
            for (const m of container.mountPoints) assert.ok(volumes.includes(m.sourceVolume), `${td.name}: ${m.sourceVolume} is a task volume`);
        }
        for (const td of ofType(planOf("prod"), "aws:ecs/taskDefinition:TaskDefinition")) {
            assert.equal(containerDefs(td)[0].mountPoints, undefined, td.name);
            assert.equal(td.inputs.volumes, undefined, td.name);
        }
    });
});
