import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { guard, type Change } from "../../tools/diff/compare";
import { planOf, PROJECT_DIR, scratchDir, stackFile, type CliResult } from "../helpers/plan";

/** The command line, asynchronously: a describe's diffs run side by side. */
function run(args: string[], cwd = PROJECT_DIR, env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [path.join(cwd, "tools", "run.js"), ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
    });
}

const PROD = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");

let savedProd: string | undefined;
/**
 * The committed prod plan (planned once per run) as a file for --base-plan: the "before" side of
 * the tests that are about the comparison rather than about planning that side again.
 */
function committedProdPlanFile(): string {
    if (!savedProd) {
        savedProd = path.join(scratchDir(), "prod.json");
        fs.writeFileSync(savedProd, JSON.stringify(planOf("prod")));
    }
    return savedProd;
}
/** Pulumi.prod.yaml with more settings appended under `config:`. */
const proposed = (...lines: string[]) => stackFile([PROD.trimEnd(), ...lines].join("\n"));

describe("npm run diff on a proposed prod file", function () {
    this.timeout(120_000);
    const results: Record<string, CliResult> = {};
    const cases: Record<string, string[]> = {
        // This one plans both sides itself; the rest compare against the committed plan of this run.
        unchanged: ["--stack-file", proposed()],
        rename: ["--stack-file", proposed("  platform:database:", "    databaseName: orders"), "--base-plan", "<prod>"],
        renameJson: ["--stack-file", proposed("  platform:database:", "    databaseName: orders"), "--json", "--base-plan", "<prod>"],
        resize: ["--stack-file", proposed("  platform:database:", "    instanceClass: db.r7g.xlarge"), "--base-plan", "<prod>"],
        replica: ["--stack-file", proposed("  platform:globalTable:", "    replicaRegions: [us-west-2, eu-west-1]"), "--base-plan", "<prod>"],
        invalid: ["--stack-file", proposed("  platform:database:", "    instanceClass: large"), "--base-plan", "<prod>"],
    };
    before(async () => {
        const names = Object.keys(cases);
        // Two at a time: each diff already runs two plans at once.
        for (let i = 0; i < names.length; i += 2) {
            await Promise.all(
                names
                    .slice(i, i + 2)
                    .map(
                        async (n) =>
                            (results[n] = await run(["diff", "--stack", "prod", ...cases[n].map((a) => (a === "<prod>" ? committedProdPlanFile() : a))])),
                    ),
            );
        }
    });

    it("an unchanged file shows no changes and exits 0", () => {
        const r = results.unchanged;
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /\nNo changes\.\n\nResources: \d+ unchanged\n$/);
    });

    it("renaming the database replaces database-db because of dbName, and exits 2 naming it", () => {
        const r = results.rename;
        assert.equal(r.status, 2, r.stderr);
        assert.match(
            r.stdout,
            /\n\+- +aws:rds\/instance:Instance database-db \(replace\) {2}\[protected\]\n +~ dbName: "app" => "orders" {2}\[forces replacement\]\n +replaced because of: dbName\n/,
        );
        assert.match(
            r.stderr,
            /error: Pulumi refuses to replace urn:pulumi:prod::platform::platform:database:Database\$aws:rds\/instance:Instance::database-db: it is protected/,
        );
        assert.match(
            r.stderr,
            /error: stack "prod" protects its resources, and this change replaces or deletes 1 stateful resource\(s\):\n {2}database-db \(aws:rds\/instance:Instance\) replaced: dbName\n/,
        );
        assert.match(r.stdout, /Resources: .*\+-\d+ to replace/);
    });

    it("--json follows the contract", () => {
        const r = results.renameJson;
        assert.equal(r.status, 2, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.stack, "prod");
        const db = out.changes.find((c: { urn: string }) => c.urn.endsWith("::database-db"));
        assert.deepEqual(
            { type: db.type, op: db.op, diffs: db.diffs, replaceReasons: db.replaceReasons },
            { type: "aws:rds/instance:Instance", op: "replace", diffs: ["dbName"], replaceReasons: ["dbName"] },
        );
        for (const c of out.changes)
            assert.ok(["create", "update", "replace", "delete", "same"].includes(c.op) && Array.isArray(c.diffs) && Array.isArray(c.replaceReasons), c.urn);
        assert.deepEqual(Object.keys(out.summary).sort(), ["create", "delete", "replace", "same", "update"]);
        assert.ok(out.summary.replace >= 1);
        assert.equal(out.summary.create + out.summary.update + out.summary.replace + out.summary.delete + out.summary.same, out.changes.length);
    });

    it("resizing the database instance is an in-place update of instanceClass alone", () => {
        const r = results.resize;
        assert.equal(r.status, 0, r.stderr);
        assert.match(
            r.stdout,
            /\n~ +aws:rds\/instance:Instance database-db \(update\) {2}\[protected\]\n +~ instanceClass: "db\.r7g\.large" => "db\.r7g\.xlarge"\n\nResources: ~1 to update, \d+ unchanged\n$/,
        );
    });

    it("adding a replica region is an in-place update of the table", () => {
        const r = results.replica;
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /\n~ +aws:dynamodb\/table:Table table-table \(update\)/);
        assert.match(r.stdout, /\+ replicas\[1\]\.regionName: "eu-west-1"/);
        assert.match(r.stdout, /Resources: ~1 to update, \d+ unchanged\n$/);
    });

    it("exits 1 on invalid proposed config, naming the key", () => {
        assert.equal(results.invalid.status, 1);
        assert.match(results.invalid.stderr, /^error: cannot plan the proposed settings .*\n {2}error: stack "prod" has invalid config/);
        assert.match(results.invalid.stderr, /platform:database\.instanceClass/);
    });

    it("refuses bad input with one error line and exit 1", async () => {
        const [noStack, nothing, badRef] = await Promise.all([
            run(["diff"]),
            run(["diff", "--stack", "prod"]),
            run(["diff", "--stack", "prod", "--base", "no-such-ref"]),
        ]);
        for (const r of [noStack, nothing, badRef]) {
            assert.equal(r.status, 1);
            assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
            assert.match(r.stderr, /^error: /);
        }
        assert.match(badRef.stderr, /--base no-such-ref is not a commit/);
    });
});

describe("npm run diff --base: a code change against a commit", function () {
    this.timeout(120_000);
    let repo: string;
    const git = (...args: string[]) => {
        const r = spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
    };
    const edit = (file: string, from: string, to: string) => {
        const text = fs.readFileSync(path.join(repo, file), "utf8");
        assert.ok(text.includes(from), `${file} lacks ${from}`);
        fs.writeFileSync(path.join(repo, file), text.replace(from, to));
    };
    let renamed: CliResult;
    let aliased: CliResult;
    let logRenamed: CliResult;
    let logAllowed: CliResult;
    /** The TMPDIR of the diff that unpacks a ref: whatever it leaves there is its own, whoever else runs. */
    let checkoutTmp: string;

    before(async () => {
        // A repository holding this checkout's files (as they are now), whose working tree the test may change.
        repo = fs.mkdtempSync(path.join(scratchDir(), "platform-diff-repo-"));
        const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_DIR, encoding: "utf8" }).stdout.split(
            "\0",
        );
        for (const f of files) {
            const from = path.join(PROJECT_DIR, f);
            if (!f || f === "node_modules" || !fs.existsSync(from) || !fs.lstatSync(from).isFile()) continue;
            fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
            fs.copyFileSync(from, path.join(repo, f));
        }
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(repo, "node_modules"), "dir");
        git("init", "-q");
        fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), "node_modules\n"); // a link, which the ignore rule for the directory misses
        git("add", "-A");
        git("commit", "-qm", "base");
        checkoutTmp = fs.mkdtempSync(path.join(scratchDir(), "tmp-"));
        // The table's URN changes, with no alias: a delete and a create.
        edit("components/global-table.ts", "`${name}-table`,", "`${name}-items`,");
        renamed = await run(["diff", "--stack", "prod", "--base", "HEAD"], repo, { ...process.env, TMPDIR: checkoutTmp });
        // HEAD of that repository is this checkout, whose plan the run already has: the other
        // cases compare against it, so only the first one unpacks and plans the ref.
        const head = ["--base-plan", committedProdPlanFile()];
        edit("components/global-table.ts", "{ parent: this, protect:", "{ parent: this, aliases: [{ name: `${name}-table` }], protect:");
        aliased = await run(["diff", "--stack", "prod", ...head], repo);
        // The web cluster's log group gets another name: a replacement of a stateful resource prod does not protect.
        edit("components/web-cluster.ts", "{ name: platformPath(name),", "{ name: platformPath(`${name}-app`),");
        // And the ETL script gets a line: its S3 object is updated, as Pulumi diffs assets by content.
        fs.appendFileSync(path.join(repo, "pipelines", "analytics", "events_etl.py"), "# edited\n");
        [logRenamed, logAllowed] = await Promise.all([
            run(["diff", "--stack", "prod", ...head], repo),
            run(["diff", "--stack", "prod", ...head, "--allow-replace", "web-logs", "--json"], repo),
        ]);
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("a resource whose URN changed without an alias is deleted and created: the guard holds the table", () => {
        assert.equal(renamed.status, 2, renamed.stderr);
        assert.match(renamed.stdout, /^Offline diff of stack "prod": HEAD \([0-9a-f]{12}\) => the working tree\n/);
        assert.match(renamed.stdout, /\n\+ +aws:dynamodb\/table:Table table-items \(create\)/);
        assert.match(renamed.stdout, /\n- +aws:dynamodb\/table:Table table-table \(delete\) {2}\[protected\]/);
        assert.match(renamed.stderr, /Pulumi refuses to delete .*::table-table/);
        assert.match(renamed.stderr, /table-table \(aws:dynamodb\/table:Table\) deleted\n/);
        // The base was planned from another directory: file assets (the analytics scripts) compare by content, not path.
        assert.doesNotMatch(renamed.stdout, /BucketObjectv2 analytics-[a-z-]+-script \(update\)/);
    });

    it("an alias to the old URN keeps it the same resource", () => {
        assert.equal(aliased.status, 0, aliased.stderr);
        assert.doesNotMatch(aliased.stdout, /table-(items|table) \((create|delete)\)/);
    });

    it("the guard holds a stateful replacement in prod; --allow-replace lets exactly that resource through", () => {
        assert.equal(logRenamed.status, 2, logRenamed.stderr);
        assert.match(
            logRenamed.stdout,
            /\n\+- +aws:cloudwatch\/logGroup:LogGroup web-logs \(replace\)\n +~ name: "\/platform\/prod\/web" => "\/platform\/prod\/web-app" {2}\[forces replacement\]/,
        );
        assert.doesNotMatch(logRenamed.stderr, /Pulumi refuses/, "the log group is not protected");
        assert.match(logRenamed.stderr, /\n {2}web-logs \(aws:cloudwatch\/logGroup:LogGroup\) replaced: name\n/);
        assert.match(logRenamed.stdout, /\n~ +aws:s3\/bucketObjectv2:BucketObjectv2 analytics-catalog-etl-script \(update\)\n +~ source\.hash: "[0-9a-f]{12}/);
        assert.equal(logAllowed.status, 0, logAllowed.stderr);
        const result = JSON.parse(logAllowed.stdout);
        assert.deepEqual([result.changes.find((c: Change) => c.name === "web-logs").op, result.blocked], ["replace", []]);
        // The same result under another allowance: the component's name does not allow its log group.
        const other = guard(result, ["web"]);
        assert.deepEqual([other.blocked.map((b) => b.change.name), other.unusedAllowances], [["web-logs"], ["web"]]);
    });

    it("leaves no checkout behind", () => {
        assert.equal(renamed.status, 2, "the diff ran and unpacked the ref");
        assert.deepEqual(fs.readdirSync(checkoutTmp), []);
    });
});

describe("npm run diff --base-plan: the working tree against a saved plan (the pipeline's deployed record)", function () {
    this.timeout(120_000);
    let dir: string;
    const results: Record<string, CliResult> = {};
    const save = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    before(async () => {
        dir = fs.mkdtempSync(path.join(scratchDir(), "platform-base-plan-"));
        const prod = planOf("prod");
        // What Deploy records: `npm run -s plan -- --stack prod --json` of the deployed commit.
        const deployed = save("deployed.json", JSON.stringify(prod));
        // The deployed database had another name: the working tree renames it back, a replacement.
        const renamed = JSON.parse(JSON.stringify(prod));
        renamed.resources.find((r: { name: string }) => r.name === "database-db").inputs.dbName = "orders";
        // As `npm run plan` without -s saves it, npm's banner above the JSON.
        const renamedFile = save("renamed.json", `\n> platform@0.1.0 plan\n> node tools/run.js plan --stack prod --json\n\n${JSON.stringify(renamed)}\n`);
        const malformed = JSON.parse(JSON.stringify(prod));
        delete malformed.resources[3].urn;
        malformed.resources[5].inputs = "none";
        const cases: Record<string, string[]> = {
            unchanged: ["--stack", "prod", "--base-plan", deployed],
            renamed: ["--stack", "prod", "--base-plan", renamedFile],
            allowed: ["--stack", "prod", "--base-plan", renamedFile, "--allow-replace", "database-db", "--json"],
            allowedByFile: [
                "--stack",
                "prod",
                "--base-plan",
                renamedFile,
                "--allow-replace-file",
                save("allow.txt", "# reviewed in the pull request\n\ndatabase-db  # the rename\n"),
                "--json",
            ],
            noAllowFile: ["--stack", "prod", "--base-plan", deployed, "--allow-replace-file", path.join(dir, "absent.txt")],
            malformed: ["--stack", "prod", "--base-plan", save("malformed.json", JSON.stringify(malformed))],
            notJson: ["--stack", "prod", "--base-plan", save("not-json.json", "<html>AccessDenied</html>")],
            missing: ["--stack", "prod", "--base-plan", path.join(dir, "absent.json")],
            otherStack: ["--stack", "dev", "--base-plan", deployed],
            both: ["--stack", "prod", "--base-plan", deployed, "--base", "HEAD"],
        };
        await Promise.all(Object.entries(cases).map(async ([n, args]) => (results[n] = await run(["diff", ...args]))));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("an unchanged stack shows no changes and exits 0", () => {
        const r = results.unchanged;
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Offline diff of stack "prod": the saved plan .*deployed\.json => the working tree\n/);
        assert.match(r.stdout, /\nNo changes\.\n\nResources: \d+ unchanged\n$/);
    });

    it("a stateful replacement against the saved plan exits 2 in prod, naming the resource and its property", () => {
        const r = results.renamed;
        assert.equal(r.status, 2, r.stderr);
        assert.match(
            r.stdout,
            /\n\+- +aws:rds\/instance:Instance database-db \(replace\) {2}\[protected\]\n +~ dbName: "orders" => "app" {2}\[forces replacement\]\n/,
        );
        assert.match(r.stderr, /\n {2}database-db \(aws:rds\/instance:Instance\) replaced: dbName\n/);
        // Protected: Pulumi itself refuses, so --allow-replace cannot let it through.
        assert.equal(results.allowed.status, 2, results.allowed.stderr);
        const out = JSON.parse(results.allowed.stdout);
        assert.deepEqual(out.blocked, []);
        assert.match(out.base, /^the saved plan /);
        // The pipeline's reviewed file allows the same way, one name or URN per line, comments skipped.
        assert.deepEqual(JSON.parse(results.allowedByFile.stdout).blocked, []);
        assert.doesNotMatch(results.allowedByFile.stderr, /matched no stateful resource/);
    });

    it("refuses a malformed, unreadable or foreign saved plan, or --base with it, with one error line and exit 1", () => {
        for (const n of ["malformed", "notJson", "missing", "otherStack", "both", "noAllowFile"]) {
            const r = results[n];
            assert.equal(r.status, 1, `${n}: ${r.stderr}`);
            assert.equal(r.stdout, "", n);
            assert.equal(r.stderr.trim().split("\n").length, 1, `${n}: ${r.stderr}`);
            assert.match(r.stderr, /^error: /, n);
        }
        assert.match(
            results.malformed.stderr,
            /--base-plan .*malformed\.json is not a saved plan .*resource 3: urn is missing; expected a string; resource 5 \(urn:pulumi:prod::[^)]*\): inputs is a string; expected an object/,
        );
        assert.match(results.notJson.stderr, /not-json\.json is not a saved plan/);
        assert.match(results.missing.stderr, /cannot read --base-plan .*absent\.json: ENOENT/);
        assert.match(results.otherStack.stderr, /is a plan of platform stack "prod", not of platform stack "dev"/);
        assert.match(results.both.stderr, /--base and --base-plan/);
    });
});
