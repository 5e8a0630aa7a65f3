import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planOf, PROJECT_DIR, stackFile, withBeanstalkRuntime, scratchDir } from "../helpers/plan";

interface Change {
    urn: string;
    type: string;
    op: string;
    diffs: string[];
    replaceReasons: string[];
}

describe("npm run diff: dev switched to web.runtime beanstalk", function () {
    this.timeout(120_000);
    let status: number;
    let changes: Change[];
    let stderr: string;
    before(() => {
        // The committed dev plan of this run is the "before" side; the proposed file is Pulumi.dev.yaml plus one line.
        const dir = fs.mkdtempSync(path.join(scratchDir(), "platform-diff-beanstalk-"));
        const base = path.join(dir, "dev.json");
        fs.writeFileSync(base, JSON.stringify(planOf("dev")));
        const r = spawnSync(
            process.execPath,
            [
                path.join(PROJECT_DIR, "tools", "run.js"),
                "diff",
                "--stack",
                "dev",
                "--stack-file",
                stackFile(withBeanstalkRuntime("dev")),
                "--base-plan",
                base,
                "--json",
            ],
            { cwd: PROJECT_DIR, encoding: "utf8" },
        );
        fs.rmSync(dir, { recursive: true, force: true });
        status = r.status ?? -1;
        stderr = r.stderr;
        changes = (JSON.parse(r.stdout) as { changes: Change[] }).changes;
    });
    const of = (op: string, type: string) => changes.filter((c) => c.op === op && c.type === type);

    it("exits 0: nothing stateful is replaced or deleted", () => {
        assert.equal(status, 0, stderr);
        assert.deepEqual(
            changes.filter((c) => c.op === "replace").map((c) => c.urn),
            [],
        );
    });

    it("removes the fleet: the Auto Scaling group, its launch template and scaling policies", () => {
        assert.equal(of("delete", "aws:autoscaling/group:Group").length, 1);
        assert.equal(of("delete", "aws:ec2/launchTemplate:LaunchTemplate").length, 1);
        assert.ok(of("delete", "aws:autoscaling/policy:Policy").length >= 1);
        const deleted = new Set(changes.filter((c) => c.op === "delete").map((c) => c.type));
        const fleet = [
            "aws:autoscaling/group:Group",
            "aws:ec2/launchTemplate:LaunchTemplate",
            "aws:autoscaling/policy:Policy",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
        ];
        assert.deepEqual(
            [...deleted].filter((t) => !fleet.includes(t)),
            [],
            "only the fleet and its alarms go",
        );
    });

    it("adds the application, its version and the environment, with the refusal of Elastic Beanstalk hostnames", () => {
        for (const t of [
            "aws:elasticbeanstalk/application:Application",
            "aws:elasticbeanstalk/applicationVersion:ApplicationVersion",
            "aws:elasticbeanstalk/environment:Environment",
        ]) {
            assert.equal(of("create", t).length, 1, t);
        }
        assert.ok(of("create", "aws:lb/listenerRule:ListenerRule").some((c) => c.urn.endsWith("::web-refuse-beanstalk-hosts")));
    });
});
