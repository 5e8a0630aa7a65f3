/**
 * Mocha root hooks (loaded through .mocharc's `require`). Before the run, plan the committed
 * stacks once, side by side, for every test process to share (the run is parallel). After each
 * file, stop every server a test left running, so the run always exits and leaves no process behind.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { format } from "util";
import { killAllServers, stopAllServers } from "./running-servers";

const RUN = path.join(__dirname, "..", "..", "tools", "run.js");

process.once("exit", killAllServers);
for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
] as const) {
    process.once(signal, () => process.exit(code));
}

/** Plans each committed stack in its own process (Pulumi's runtime is global), all at once. */
export async function mochaGlobalSetup(): Promise<void> {
    const { COMMITTED_PLANS, PLAN_DIR_VARIABLE } = await import("./plan");
    // Only for a whole run (.mocharc.js says which): a run of named files plans just what it uses, when it uses it.
    if (process.env[PLAN_DIR_VARIABLE] || process.env.PLATFORM_TEST_WHOLE_RUN !== "1") return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-test-plans-"));
    await Promise.all(
        Object.entries(COMMITTED_PLANS).map(
            ([key, args]) =>
                new Promise<void>((resolve) => {
                    const child = spawn(process.execPath, [RUN, ...args], { cwd: path.join(__dirname, "..", ".."), stdio: ["ignore", "pipe", "ignore"] });
                    const chunks: Buffer[] = [];
                    child.stdout.on("data", (c: Buffer) => chunks.push(c));
                    child.once("close", () => {
                        // A plan that failed is left out: the tests that need it plan it again and report why.
                        const out = Buffer.concat(chunks).toString("utf8");
                        if (out.trim().startsWith("{")) fs.writeFileSync(path.join(dir, `${key}.json`), out);
                        resolve();
                    });
                }),
        ),
    );
    process.env[PLAN_DIR_VARIABLE] = dir;
    madeHere = dir;
}

/** The plan directory this process made (a nested mocha, e.g. the clean-up test's, shares its parent's and must not remove it). */
let madeHere: string | undefined;

export async function mochaGlobalTeardown(): Promise<void> {
    if (madeHere) fs.rmSync(madeHere, { recursive: true, force: true });
}

/** What the code under test logs (the services log JSON lines): kept back, and shown only for a test that fails. */
const CONSOLE_METHODS = ["log", "info", "warn", "error"] as const;
const original = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]])) as Record<(typeof CONSOLE_METHODS)[number], (...args: unknown[]) => void>;
let heldBack: string[] = [];

export const mochaHooks = {
    beforeEach(): void {
        heldBack = [];
        for (const m of CONSOLE_METHODS) console[m] = (...args: unknown[]) => void heldBack.push(format(...args));
    },
    afterEach(this: Mocha.Context): void {
        for (const m of CONSOLE_METHODS) console[m] = original[m];
        if (this.currentTest?.state === "failed" && heldBack.length > 0) {
            original.error(`\n--- what "${this.currentTest.fullTitle()}" logged ---\n${heldBack.join("\n")}\n---`);
        }
        heldBack = [];
    },
    async afterAll(): Promise<void> {
        await stopAllServers();
    },
};
