import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { accepts } from "./web/servers";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "tests", "fixtures", "servers-left-running.fixture.ts");

/** Runs the fixture in its own mocha (with the project's root hooks); resolves with its exit and the ports it started. */
function runFixture(env: Record<string, string>, onStarted?: (testProcess: number) => void) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cleanup-")), "ports.json");
    const child = spawn(
        process.execPath,
        [
            path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"),
            "--no-config",
            "--no-parallel",
            "--extension",
            "ts",
            "--require",
            "tools/register.js",
            "--require",
            "tests/helpers/root-hooks.ts",
            "--timeout",
            "60000",
            FIXTURE,
        ],
        { cwd: ROOT, env: { ...process.env, ...env, SERVERS_FILE: file }, stdio: "pipe" },
    );
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const watch = setInterval(() => {
        if (onStarted && fs.existsSync(file)) {
            clearInterval(watch);
            // mocha's bin re-spawns itself to pass node options: signal the process that runs the tests.
            onStarted(JSON.parse(fs.readFileSync(file, "utf8")).pid);
        }
    }, 100);
    return new Promise<{ code: number | null; signal: string | null; ports: number[]; output: string; ms: number }>((resolve) => {
        const started = Date.now();
        child.once("exit", (code, signal) => {
            clearInterval(watch);
            resolve({ code, signal, ports: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).ports : [], output, ms: Date.now() - started });
        });
    });
}

describe("a failing test run leaves no server behind", function () {
    this.timeout(90_000);

    it("a before hook that fails after starting Redis, PostgreSQL and dynalite: the run exits and every server is gone", async () => {
        const r = await runFixture({});
        assert.equal(r.ports.length, 3, r.output);
        assert.equal(r.code, 1, r.output);
        assert.match(r.output, /set-up failed after starting three servers/);
        for (const port of r.ports) assert.equal(await accepts(port), false, `port ${port} still answers`);
    });

    it("a run stopped by SIGTERM mid-test kills its servers, PostgreSQL's daemon included", async () => {
        const r = await runFixture({ HANG: "1" }, (pid) => process.kill(pid, "SIGTERM"));
        assert.equal(r.ports.length, 3, r.output);
        assert.equal(r.code, 143, r.output);
        for (const port of r.ports) assert.equal(await accepts(port), false, `port ${port} still answers`);
    });
});
