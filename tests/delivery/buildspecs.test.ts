import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { BUILD_STAGES, readBuildspecs } from "../../components/delivery";
import { cli, PROJECT_DIR } from "../helpers/plan";
import { deliveryPlan, inPipeline, onlyOne } from "./helpers";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const buildspec = (stage: string) => parse(fs.readFileSync(path.join(PROJECT_DIR, "pipelines", `buildspec-${stage}.yml`), "utf8"));

/** `"$STACK"` in a buildspec is `<stack>` in the README. */
const normalize = (command: string) => command.replace(/"\$STACK"|\$STACK|\$\{STACK\}/g, "<stack>").trim();

/** The README's "What each build stage runs" block: `# Stage` headings, then one command per line. */
function readmeStageCommands(): Record<string, string[]> {
    const section = readme.slice(readme.indexOf("## Delivery"), readme.indexOf("### Per environment"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, "README's Delivery section has the stage commands block");
    const out: Record<string, string[]> = {};
    let stage = "";
    for (const line of block.split("\n").map((l) => l.trim()).filter(Boolean)) {
        const heading = /^# (\w+)$/.exec(line);
        if (heading) out[(stage = heading[1].toLowerCase())] = [];
        else out[stage].push(line);
    }
    return out;
}

describe("buildspecs", () => {
    const documented = readmeStageCommands();

    it("run, in their build phase, exactly the commands the README lists for each stage", () => {
        assert.deepEqual(Object.keys(documented), [...BUILD_STAGES]);
        for (const stage of BUILD_STAGES) {
            assert.deepEqual(buildspec(stage).phases.build.commands.map(normalize), documented[stage], stage);
        }
    });

    it("use the README's own commands: the test command, the offline plan, the policy run, preview and up", () => {
        // The quick start's test command, which .ci/run runs too.
        const testCommand = /^(npm \S+)\s+# type-check and run every test/m.exec(readme)?.[1];
        assert.equal(testCommand, "npm test");
        assert.match(fs.readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8"), /^npm test$/m);
        const commandsTable = readme.slice(readme.indexOf("## Commands"));
        const test = documented.test;
        assert.deepEqual(test.slice(0, 2), ["npm ci", testCommand]);
        for (const form of ["npm run plan -- --stack <name>", "npm run plan -- --stack <name> --json", "npm run policy -- <plan.json>"]) {
            assert.ok(commandsTable.includes(`| \`${form}`), `the Commands table documents ${form}`);
        }
        assert.ok(test.includes("npm run plan -- --stack <stack>"));
        const [save, check] = test.slice(3);
        assert.equal(save, "npm run plan -- --stack <stack> --json > plan.json");
        assert.equal(check, "npm run policy -- plan.json");
        assert.ok(documented.preview.includes("pulumi preview --stack <stack> --policy-pack policy --diff"));
        assert.ok(documented.deploy.includes("pulumi up --yes --stack <stack>"));
    });

    it("save a plan the policy command reads, although npm prints its banner into plan.json", () => {
        const plan = deliveryPlan();
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "plan.json");
        // What `npm run plan -- --stack <stack> --json > plan.json` writes: npm's banner, then the plan.
        fs.writeFileSync(file, `\n> platform@0.1.0 plan\n> node tools/run.js plan --stack dev --json\n\n${JSON.stringify(plan, null, 2)}\n`);
        const r = cli(["policy", file]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /resources of stack "delivery": 0 mandatory/);
    });

    it("install the pinned Pulumi CLI and log in to the configured backend before Preview and Deploy, and only there", () => {
        for (const stage of ["preview", "deploy"]) {
            const spec = buildspec(stage);
            const install = spec.phases.install.commands.join("\n");
            assert.match(install, /get\.pulumi\.com\/releases\/sdk\/pulumi-v\$\{PULUMI_VERSION\}-linux-x64\.tar\.gz/);
            assert.match(install, /test "\$\(pulumi version\)" = "v\$\{PULUMI_VERSION\}"/);
            assert.deepEqual(spec.phases.pre_build.commands, ['pulumi login "$PULUMI_BACKEND_URL"']);
            assert.ok(spec.cache.paths.includes("/root/.pulumi/plugins/**/*"));
        }
        const test = buildspec("test");
        assert.ok(!JSON.stringify(test).includes("pulumi "), "the Test stage needs no Pulumi CLI");
        // The service tests' servers: npm test installs them first (CodeBuild and CI run as root).
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        assert.match(pkg.scripts.test, /^node tools\/test-prereqs\.js && /);
        assert.match(fs.readFileSync(path.join(PROJECT_DIR, "tools", "test-prereqs.js"), "utf8"), /"redis-server", "postgresql"/);
        for (const stage of BUILD_STAGES) {
            const spec = buildspec(stage);
            assert.equal(spec.version, 0.2);
            assert.equal(spec.phases.install["runtime-versions"].nodejs, 20, "the Node.js line the README supports");
            assert.deepEqual(spec.phases.install.commands.slice(0, 2), ['n "${NODE_VERSION}"', 'test "$(node --version)" = "v${NODE_VERSION}"'], `${stage} installs the exact Node.js release first`);
            assert.ok(spec.cache.paths.includes("/root/.npm/**/*"), `${stage} caches npm's cache`);
            assert.doesNotMatch(JSON.stringify(spec), /docker|dockerd|PULUMI_ACCESS_TOKEN=/, stage);
        }
    });

    it("get every variable they use from their CodeBuild project", () => {
        const plan = deliveryPlan();
        for (const stage of BUILD_STAGES) {
            const used = new Set([...JSON.stringify(buildspec(stage).phases).matchAll(/\$\{?([A-Z_]+)\}?/g)].map((m) => m[1]));
            const own = new Set(Object.keys(buildspec(stage).env?.variables ?? {}));
            const project = onlyOne(inPipeline(plan, "dev", "aws:codebuild/project:Project", `-${stage}`), "project");
            const given = new Set(((project.inputs as any).environment.environmentVariables as { name: string }[]).map((v) => v.name));
            for (const v of used) assert.ok(given.has(v) || own.has(v), `${stage} uses $${v}, which its project does not set`);
        }
    });

    it("are checked when read, so a broken file fails the delivery update rather than the first build", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "buildspecs-"));
        for (const stage of BUILD_STAGES) fs.copyFileSync(path.join(PROJECT_DIR, "pipelines", `buildspec-${stage}.yml`), path.join(dir, `buildspec-${stage}.yml`));
        assert.equal(readBuildspecs(dir).test, fs.readFileSync(path.join(dir, "buildspec-test.yml"), "utf8"));
        fs.writeFileSync(path.join(dir, "buildspec-deploy.yml"), "version: 0.2\nphases:\n  install:\n    commands: [npm ci]\n");
        assert.throws(() => readBuildspecs(dir), /buildspec-deploy\.yml: phases\.build\.commands must list/);
    });
});
