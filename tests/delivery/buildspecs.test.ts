import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { BUILD_STAGES, readBuildspecs } from "../../delivery/pipeline";
import { cli, PROJECT_DIR, scratchDir } from "../helpers/plan";
import { deliveryPlan, inPipeline, onlyOne } from "./helpers";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
/** The delivery project's guide, which lists what each build stage runs. */
const deliveryGuide = fs.readFileSync(path.join(PROJECT_DIR, "delivery", "README.md"), "utf8");
const buildspec = (stage: string) => parse(fs.readFileSync(path.join(PROJECT_DIR, "pipelines", `buildspec-${stage}.yml`), "utf8"));

/** `"$STACK"` in a buildspec is `<stack>` in the delivery guide. */
const normalize = (command: string) => command.replace(/"\$STACK"|\$STACK|\$\{STACK\}/g, "<stack>").trim();

/** delivery/README.md's "What each build stage runs" block: `# Stage` headings, then one command per line. */
function documentedStageCommands(): Record<string, string[]> {
    const section = deliveryGuide.slice(deliveryGuide.indexOf("# Delivery"), deliveryGuide.indexOf("## Per environment"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, "delivery/README.md's opening section has the stage commands block");
    const out: Record<string, string[]> = {};
    let stage = "";
    for (const line of block
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)) {
        const heading = /^# (\w+)$/.exec(line);
        if (heading) out[(stage = heading[1].toLowerCase())] = [];
        else out[stage].push(line);
    }
    return out;
}

describe("buildspecs", () => {
    const documented = documentedStageCommands();

    it("run, in their build phase, exactly the commands delivery/README.md lists for each stage", () => {
        assert.deepEqual(Object.keys(documented), [...BUILD_STAGES]);
        for (const stage of BUILD_STAGES) {
            assert.deepEqual(buildspec(stage).phases.build.commands.map(normalize), documented[stage], stage);
        }
    });

    it("use the README's own commands: the test command, the offline plan, the policy run, preview and up", () => {
        // The quick start's test command, which .ci/run runs too.
        const testCommand = /^(npm \S+)\s+# type-check, lint and run every test/m.exec(readme)?.[1];
        assert.equal(testCommand, "npm test");
        assert.match(fs.readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8"), /^npm test$/m);
        // The README's Commands table, and the full one in tools/README.md.
        const toolsGuide = fs.readFileSync(path.join(PROJECT_DIR, "tools", "README.md"), "utf8");
        const commandsTables = {
            "README.md": readme.slice(readme.indexOf("## Commands")),
            "tools/README.md": toolsGuide.slice(toolsGuide.indexOf("## Commands")),
        };
        const test = documented.test;
        assert.deepEqual(test.slice(0, 2), ["npm ci", testCommand]);
        for (const [file, commandsTable] of Object.entries(commandsTables)) {
            for (const form of ["npm run plan -- --stack <name>", "npm run plan -- --stack <name> --json", "npm run policy -- <plan.json>"]) {
                assert.ok(commandsTable.includes(`| \`${form}`), `the Commands table of ${file} documents ${form}`);
            }
            assert.match(
                commandsTable,
                /\| `npm run diff -- --stack <name> \[[^`]*--base-plan <plan\.json>/,
                `the Commands table of ${file} documents --base-plan`,
            );
        }
        assert.ok(test.includes("npm run plan -- --stack <stack>"));
        const [save, check, guard] = test.slice(3);
        assert.equal(save, "npm run plan -- --stack <stack> --json > plan.json");
        assert.equal(check, "npm run policy -- plan.json");
        assert.match(guard, /npm run diff -- --stack <stack> --base-plan base-plan\.json --allow-replace-file "delivery\/allow-replace\/<stack>\.txt"; fi$/);
        assert.ok(documented.preview.includes("pulumi preview --stack <stack> --policy-pack policy --diff"));
        const setTags = 'for t in $IMAGE_TAGS; do pulumi config set --stack <stack> --path "platform:containers.services.${t%%=*}.imageTag" "${t#*=}"; done';
        assert.deepEqual(documented.deploy.slice(1, 4), [
            setTags,
            "pulumi up --yes --stack <stack>",
            "npm run -s plan -- --stack <stack> --json > deployed-plan.json",
        ]);
        assert.deepEqual(documented.preview.slice(1, 3), [setTags, "pulumi preview --stack <stack> --policy-pack policy --diff"]);
        assert.deepEqual(documented.images, ["npm ci", 'IMAGE_TAGS="$(bash tools/build-images.sh)"', 'echo "IMAGE_TAGS=$IMAGE_TAGS"']);
    });

    it("save a plan the policy command reads, although npm prints its banner into plan.json", () => {
        const plan = deliveryPlan();
        const file = path.join(fs.mkdtempSync(path.join(scratchDir(), "plan-")), "plan.json");
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
            assert.deepEqual(
                spec.phases.install.commands.slice(0, 2),
                ['n "${NODE_VERSION}"', 'test "$(node --version)" = "v${NODE_VERSION}"'],
                `${stage} installs the exact Node.js release first`,
            );
            assert.ok(spec.cache.paths.includes("/root/.npm/**/*"), `${stage} caches npm's cache`);
            assert.doesNotMatch(JSON.stringify(spec), stage === "images" ? /PULUMI_ACCESS_TOKEN|pulumi / : /docker|dockerd|PULUMI_ACCESS_TOKEN=/, stage);
        }
        // Only the image build uses Docker, with BuildKit, and exports the tags it pushed.
        const images = buildspec("images");
        assert.equal(images.env.variables.DOCKER_BUILDKIT, "1");
        assert.deepEqual(images.env["exported-variables"], ["IMAGE_TAGS"]);
        assert.deepEqual(images.phases.pre_build.commands, [
            'aws ecr get-login-password --region "$ECR_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
        ]);
    });

    it("get every variable they use from their CodeBuild project", () => {
        const plan = deliveryPlan();
        for (const stage of BUILD_STAGES) {
            const used = new Set([...JSON.stringify(buildspec(stage).phases).matchAll(/\$\{?([A-Z_]+)\}?/g)].map((m) => m[1]));
            // Its own variables, and those it exports (set by its commands).
            const own = new Set([...Object.keys(buildspec(stage).env?.variables ?? {}), ...(buildspec(stage).env?.["exported-variables"] ?? [])]);
            const project = onlyOne(inPipeline(plan, "dev", "aws:codebuild/project:Project", `-${stage}`), "project");
            const given = new Set(((project.inputs as any).environment.environmentVariables as { name: string }[]).map((v) => v.name));
            // CODEBUILD_* are CodeBuild's own (e.g. CODEBUILD_RESOLVED_SOURCE_VERSION, the commit).
            for (const v of used) assert.ok(given.has(v) || own.has(v) || v.startsWith("CODEBUILD_"), `${stage} uses $${v}, which its project does not set`);
        }
    });

    it("are checked when read, so a broken file fails the delivery update rather than the first build", () => {
        const dir = fs.mkdtempSync(path.join(scratchDir(), "buildspecs-"));
        for (const stage of BUILD_STAGES)
            fs.copyFileSync(path.join(PROJECT_DIR, "pipelines", `buildspec-${stage}.yml`), path.join(dir, `buildspec-${stage}.yml`));
        assert.equal(readBuildspecs(dir).test, fs.readFileSync(path.join(dir, "buildspec-test.yml"), "utf8"));
        fs.writeFileSync(path.join(dir, "buildspec-deploy.yml"), "version: 0.2\nphases:\n  install:\n    commands: [npm ci]\n");
        assert.throws(() => readBuildspecs(dir), /buildspec-deploy\.yml: phases\.build\.commands must list/);
    });
});

/**
 * Runs build commands as CodeBuild does (bash; the first failing command fails the phase) in a
 * scratch directory, with `aws` and `npm` replaced by stubs that log their arguments.
 */
function runCommands(commands: string[], stub: { keyCount?: string; listFails?: boolean; npmExit?: number }) {
    const dir = fs.mkdtempSync(path.join(scratchDir(), "buildspec-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const log = path.join(dir, "calls.log");
    fs.writeFileSync(
        path.join(bin, "aws"),
        `#!/bin/bash
echo "aws $*" >> "${log}"
case "$1 $2" in
  "s3api list-objects-v2") ${stub.listFails ? 'echo "An error occurred (AccessDenied) when calling the ListObjectsV2 operation" >&2; exit 254' : `echo "${stub.keyCount}"`} ;;
  "s3api get-object") ${stub.listFails ? 'echo "An error occurred (AccessDenied) when calling the GetObject operation" >&2; exit 254' : ""}
    echo '{"stack":"prod"}' > "\${@: -1}"; echo '{"Metadata": {"commit": "0123abc"}}' ;;
esac
`,
        { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, "npm"), `#!/bin/bash\necho "npm $*" >> "${log}"\n[ "$2" = "-s" ] && echo '{"stack":"prod"}'\nexit ${stub.npmExit ?? 0}\n`, {
        mode: 0o755,
    });
    const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        STACK: "prod",
        ARTIFACT_BUCKET: "platform-delivery-prod-artifacts-1a2b3c",
        CODEBUILD_RESOLVED_SOURCE_VERSION: "0123abc",
    };
    let stdout = "";
    let status = 0;
    for (const command of commands) {
        const r = spawnSync("bash", ["-c", command], { cwd: dir, env, encoding: "utf8" });
        stdout += r.stdout;
        status = r.status ?? -1;
        if (status !== 0) break;
    }
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { status, stdout, calls, dir };
}

describe("the pipeline's guard against a stateful replacement", () => {
    const bucket = "platform-delivery-prod-artifacts-1a2b3c";
    const guard = () => buildspec("test").phases.build.commands.filter((c: string) => c.includes("--base-plan"));

    it("Deploy records the plan it deployed, with its commit, after a successful pulumi up only", () => {
        const commands: string[] = buildspec("deploy").phases.build.commands;
        const up = commands.indexOf('pulumi up --yes --stack "$STACK"');
        assert.ok(up >= 0);
        const record = commands.slice(up + 1);
        assert.equal(record.length, 2, "the record follows the up, which must succeed first");
        const r = runCommands(record, {});
        assert.equal(r.status, 0);
        assert.deepEqual(r.calls, [
            "npm run -s plan -- --stack prod --json",
            `aws s3 cp deployed-plan.json s3://${bucket}/deployed/prod/plan.json --metadata commit=0123abc`,
        ]);
        // -s: no npm banner in the record.
        assert.equal(fs.readFileSync(path.join(r.dir, "deployed-plan.json"), "utf8"), '{"stack":"prod"}\n');
        assert.ok(
            runCommands(record, { npmExit: 1 }).calls.every((c) => !c.startsWith("aws")),
            "a failed plan uploads nothing",
        );
    });

    it("Test skips the diff on the first deploy, when there is no record yet", () => {
        assert.equal(guard().length, 1);
        const r = runCommands(guard(), { keyCount: "0" });
        assert.equal(r.status, 0);
        assert.match(r.stdout, /^no deployed plan yet; skipping the diff$/m);
        assert.deepEqual(r.calls, [`aws s3api list-objects-v2 --bucket ${bucket} --prefix deployed/prod/plan.json --query KeyCount --output text`]);
    });

    it("Test diffs against the record, and the diff's exit 2 fails the build", () => {
        const blocked = runCommands(guard(), { keyCount: "1", npmExit: 2 });
        assert.equal(blocked.status, 2);
        assert.deepEqual(blocked.calls.slice(1), [
            `aws s3api get-object --bucket ${bucket} --key deployed/prod/plan.json base-plan.json`,
            "npm run diff -- --stack prod --base-plan base-plan.json --allow-replace-file delivery/allow-replace/prod.txt",
        ]);
        assert.match(blocked.stdout, /"commit": "0123abc"/, "the log names the deployed commit");
        assert.equal(runCommands(guard(), { keyCount: "1" }).status, 0);
        // The build runs the guard before anything reaches Preview: it is in the Test stage.
        assert.ok(BUILD_STAGES.indexOf("test") < BUILD_STAGES.indexOf("preview"));
    });

    it("Test fails, rather than skipping the diff, when it cannot reach the record", () => {
        const r = runCommands(guard(), { listFails: true });
        assert.notEqual(r.status, 0);
        assert.ok(!r.calls.some((c) => c.startsWith("npm")), r.calls.join("\n"));
        assert.doesNotMatch(r.stdout, /skipping/);
    });
});

/**
 * Runs tools/build-images.sh as the Build images stage does, with `aws`, `docker` and `node`
 * replaced by stubs: `aws ecr describe-images` finds the tags in `existing`, or fails as `lookup` says.
 */
function runImageBuild(existing: string[], lookup: "ok" | "denied" = "ok") {
    const dir = fs.mkdtempSync(path.join(scratchDir(), "images-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const log = path.join(dir, "calls.log");
    const stub = (name: string, body: string) =>
        fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
    // node tools/image-tag.js <service> prints c-<service>hash.
    stub("node", 'echo "c-${2}hash"');
    stub("docker", "");
    stub(
        "aws",
        lookup === "denied"
            ? 'echo "An error occurred (AccessDeniedException) when calling the DescribeImages operation" >&2; exit 254'
            : `for t in ${existing.join(" ")}; do [ "$8" = "imageTag=$t" ] && exit 0; done; echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation" >&2; exit 254`,
    );
    const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        STACK: "prod",
        SERVICES: "catalog inventory",
        REGISTRY: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        ECR_REGION: "us-east-1",
    };
    const r = spawnSync("bash", [path.join(PROJECT_DIR, "tools", "build-images.sh")], { cwd: dir, env, encoding: "utf8" });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

describe("the Build images stage (tools/build-images.sh)", () => {
    const registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    it("builds and pushes a service whose tag is new, skips one whose tag exists, and prints every service's tag", () => {
        const r = runImageBuild(["c-cataloghash"]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "catalog=c-cataloghash inventory=c-inventoryhash\n", "only the tags on stdout");
        assert.match(r.stderr, /catalog: platform\/prod\/catalog:c-cataloghash exists; not rebuilt/);
        assert.deepEqual(
            r.calls.filter((c) => c.startsWith("docker")),
            [
                `docker build -f services/inventory/Dockerfile -t ${registry}/platform/prod/inventory:c-inventoryhash .`,
                `docker push ${registry}/platform/prod/inventory:c-inventoryhash`,
            ],
        );
        assert.ok(
            r.calls.includes(
                "aws ecr describe-images --region us-east-1 --repository-name platform/prod/catalog --image-ids imageTag=c-cataloghash --output text",
            ),
        );
    });

    it("fails, building nothing, when it cannot tell whether a tag exists", () => {
        const r = runImageBuild([], "denied");
        assert.notEqual(r.status, 0);
        assert.equal(r.stdout, "");
        assert.ok(!r.calls.some((c) => c.startsWith("docker")), r.calls.join("\n"));
        assert.match(r.stderr, /cannot look up platform\/prod\/catalog:c-cataloghash: .*AccessDenied/);
    });

    it("Preview and Deploy set each pushed tag in the stack's settings before they run, and nothing without tags", () => {
        for (const stage of ["preview", "deploy"]) {
            const commands: string[] = buildspec(stage).phases.build.commands;
            const set = commands.find((c) => c.includes("pulumi config set"));
            assert.ok(
                set && commands.indexOf(set) === commands.findIndex((c) => /^pulumi (preview|up)/.test(c)) - 1,
                `${stage} sets the tags right before it runs`,
            );
            const dir = fs.mkdtempSync(path.join(scratchDir(), "tags-"));
            const log = path.join(dir, "calls.log");
            fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/bash\necho "pulumi $*" >> "${log}"\n`, { mode: 0o755 });
            const run = (tags: string) => {
                fs.rmSync(log, { force: true });
                const r = spawnSync("bash", ["-c", set], {
                    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, STACK: "prod", IMAGE_TAGS: tags },
                    encoding: "utf8",
                });
                assert.equal(r.status, 0, r.stderr);
                return fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
            };
            assert.deepEqual(run("catalog=c-0123456789abcdef inventory=c-fedcba9876543210"), [
                "pulumi config set --stack prod --path platform:containers.services.catalog.imageTag c-0123456789abcdef",
                "pulumi config set --stack prod --path platform:containers.services.inventory.imageTag c-fedcba9876543210",
            ]);
            assert.deepEqual(run(""), []);
        }
    });
});
