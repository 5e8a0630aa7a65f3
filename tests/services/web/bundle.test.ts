import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleService } from "../../../components/service-bundle";
import { WebCluster } from "../../../components/web-cluster";
import { defaults } from "../../../config/sections/web";
import { render, testContext } from "../../helpers/component";
import { PROJECT_DIR } from "../../helpers/plan";

describe("web service bundle", function () {
    this.timeout(60_000);
    let dir: string;
    // A fixed path: bundleService caches per entry path, so a fresh temp dir per run would leave a cache entry each time.
    beforeEach(() => {
        dir = path.join(os.tmpdir(), "platform-web-bundle-test");
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("hashes what it bundles: a change to any source file changes the hash, and the same source gives the same hash", () => {
        const entry = path.join(dir, "main.ts");
        const dep = path.join(dir, "greeting.ts");
        fs.writeFileSync(entry, 'import { greeting } from "./greeting";\nconsole.log(greeting);\n');
        fs.writeFileSync(dep, 'export const greeting: string = "hello";\n');
        const first = bundleService(entry);
        assert.equal(first.sha256, createHash("sha256").update(first.code).digest("hex"));
        assert.equal(bundleService(entry).sha256, first.sha256);

        fs.writeFileSync(dep, 'export const greeting: string = "hello, world";\n'); // only the imported module changes
        const second = bundleService(entry);
        assert.notEqual(second.sha256, first.sha256);
        assert.match(second.code, /hello, world/);

        fs.writeFileSync(dep, 'export const greeting: string = "hello";\n');
        assert.equal(bundleService(entry).sha256, first.sha256);
    });

    it("a new bundle makes a new launch template version: the user data carries its hash", async () => {
        const userData = async (code: string) => {
            const service = { code, sha256: createHash("sha256").update(code).digest("hex") };
            const plan = await render(
                () =>
                    new WebCluster("web", {
                        ...defaults.dev,
                        context: testContext({ region: "us-east-1", accountId: "123456789012", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" }),
                        vpcId: "vpc-1",
                        publicSubnetIds: ["subnet-a"],
                        privateSubnetIds: ["subnet-b"],
                        allowPlainHttp: true,
                        service,
                        parameterPath: "/platform/test/web/",
                        instanceTags: {},
                    }),
            );
            const lt = plan.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!;
            return { sha: service.sha256, script: Buffer.from(String(lt.inputs.userData), "base64").toString() };
        };
        const a = await userData("console.log('a')");
        const b = await userData("console.log('b')");
        assert.ok(a.script.includes(`BUNDLE_SHA256=${a.sha}`));
        assert.ok(b.script.includes(`BUNDLE_SHA256=${b.sha}`));
        assert.notEqual(a.script, b.script);
    });

    it("the real service bundles into one self-contained file that starts under Node.js and reports missing settings", () => {
        const bundle = bundleService(path.join(PROJECT_DIR, "services", "web", "main.ts"));
        const file = path.join(dir, "server.js");
        fs.writeFileSync(file, bundle.code);
        // Outside the project, with no node_modules to fall back on.
        const r = spawnSync(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH }, encoding: "utf8", timeout: 20_000 });
        assert.equal(r.status, 1, r.stderr);
        const line = JSON.parse(r.stdout.trim().split("\n").pop()!);
        assert.equal(line.msg, "failed to start");
        assert.match(line.error, /AWS_REGION: is required/);
        assert.match(line.error, /CACHE_HOST: is required/);
    });
});
