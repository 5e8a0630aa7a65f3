/**
 * `npm run diff -- --stack <name> [--stack-file <proposed.yaml>] [--base <git-ref> | --base-plan <plan.json>] [--json] [--allow-replace <urn-or-name>]... [--allow-replace-file <path>]`
 *
 * Plans the stack twice, each in its own process (Pulumi's runtime is global) and both at once:
 * before (the committed settings, or the program and settings at --base) and after (the working
 * tree's program with the proposed settings), then compares the plans (./compare). With
 * --base-plan, "before" is a saved plan (`plan --json`, e.g. the one the pipeline's Deploy
 * recorded), so only "after" is planned.
 * Exit 0: compared; 2: Pulumi would refuse a step (a protected resource) or, in a stack that
 * protects its resources, a stateful resource is replaced or deleted without --allow-replace;
 * 1: an error (bad arguments, invalid config, a bad ref, an unreadable or malformed --base-plan).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import type { Plan } from "../engine";
import { parsePlan, PlanShapeError, withoutNpmBanner } from "../plan-schema";
import { comparePlans, guard, type ReplacementTable } from "./compare";
import { formatDiff, formatRefusals } from "./format";

const USAGE =
    "diff --stack <name> [--stack-file <proposed.yaml>] [--base <git-ref> | --base-plan <plan.json>] [--json] [--allow-replace <urn-or-name>]... [--allow-replace-file <path>]";

/** Thrown for anything that stops the comparison: its lines are printed as they are. */
class DiffError extends Error {
    constructor(readonly lines: string[]) {
        super(lines.join("\n"));
    }
}

export async function diff(argv: string[], projectDir: string): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" },
            "stack-file": { type: "string" },
            base: { type: "string" },
            "base-plan": { type: "string" },
            json: { type: "boolean" },
            "allow-replace": { type: "string", multiple: true },
            "allow-replace-file": { type: "string" },
        },
    });
    const stack = values.stack;
    if (!stack) return fail([`error: --stack is required (usage: ${USAGE})`]);
    if (values.base && values["base-plan"]) return fail([`error: --base and --base-plan both name the "before" side; give one (usage: ${USAGE})`]);
    if (!values["stack-file"] && !values.base && !values["base-plan"])
        return fail([`error: nothing to compare: give --stack-file <proposed.yaml>, --base <git-ref> or --base-plan <plan.json> (usage: ${USAGE})`]);
    const proposedFile = values["stack-file"] ? path.resolve(values["stack-file"]) : undefined;
    if (proposedFile && !fs.existsSync(proposedFile)) return fail([`error: --stack-file ${values["stack-file"]} does not exist`]);
    const committedFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    let allowances = values["allow-replace"] ?? [];
    if (values["allow-replace-file"]) {
        const file = values["allow-replace-file"];
        if (!fs.existsSync(file)) return fail([`error: --allow-replace-file ${file} does not exist`]);
        allowances = [...allowances, ...allowancesIn(fs.readFileSync(file, "utf8"))];
    }

    let checkout: { dir: string; commit: string; remove(): void } | undefined;
    try {
        const basePlan = values["base-plan"] !== undefined ? readBasePlan(values["base-plan"], stack) : undefined;
        if (values.base) checkout = checkOut(projectDir, values.base);
        const beforeFile = checkout ? path.join(checkout.dir, `Pulumi.${stack}.yaml`) : committedFile;
        if (checkout && !fs.existsSync(beforeFile))
            throw new DiffError([`error: stack "${stack}" has no settings file at ${values.base} (Pulumi.${stack}.yaml); nothing to compare with`]);
        const [before, after] = await Promise.all([
            basePlan
                ? Promise.resolve(basePlan)
                : // At a ref, that commit's own command line plans it (`plan --json` is the stable contract).
                  checkout
                  ? planIn(checkout.dir, ["plan", "--stack", stack, "--json"], `the stack at ${values.base}`)
                  : planIn(projectDir, ["evaluate", "--stack", stack, "--json"], `the committed settings (${path.basename(committedFile)})`),
            // The other side in this process (one evaluation per process: Pulumi's runtime is global).
            planHere(projectDir, stack, proposedFile, proposedFile ? `the proposed settings (${values["stack-file"]})` : "the working tree"),
        ]);
        const table = JSON.parse(fs.readFileSync(path.join(__dirname, "replacements.json"), "utf8")) as ReplacementTable;
        const result = comparePlans(before, after, table);
        const { blocked, unusedAllowances } = guard(result, allowances);
        const errors = result.changes.filter((c) => c.error);
        const from = basePlan
            ? `the saved plan ${values["base-plan"]}`
            : checkout
              ? `${values.base} (${checkout.commit.slice(0, 12)})`
              : path.basename(committedFile);
        const to = proposedFile ? values["stack-file"] : "the working tree";
        if (values.json) {
            process.stdout.write(
                `${JSON.stringify({ ...result, base: from, proposed: to, blocked: blocked.map((b) => ({ urn: b.change.urn, op: b.change.op, reasons: b.reasons })) }, null, 2)}\n`,
            );
        } else {
            console.log(formatDiff(result, `Offline diff of stack "${stack}": ${from} => ${to}`));
        }
        for (const a of unusedAllowances) console.error(`note: --allow-replace ${a} matched no stateful resource this change replaces or deletes`);
        const refusals = formatRefusals(stack, blocked, errors);
        for (const line of refusals) console.error(line);
        return refusals.length > 0 ? 2 : 0;
    } catch (err) {
        if (err instanceof DiffError) return fail(err.lines);
        throw err;
    } finally {
        checkout?.remove();
    }
}

function fail(lines: string[]): number {
    for (const line of lines) console.error(line);
    return 1;
}

/** A saved plan of the stack, as `plan --json` prints it (read as `npm run policy` reads one). */
function readBasePlan(file: string, stack: string): Plan {
    let text: string;
    try {
        text = fs.readFileSync(path.resolve(file), "utf8");
    } catch (err) {
        throw new DiffError([`error: cannot read --base-plan ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
    }
    let plan: Plan;
    try {
        plan = parsePlan(JSON.parse(withoutNpmBanner(text)));
    } catch (err) {
        // One line however malformed: the first problems, and how many more.
        const why =
            err instanceof PlanShapeError
                ? [...err.problems.slice(0, 3), ...(err.problems.length > 3 ? [`and ${err.problems.length - 3} more`] : [])].join("; ")
                : (err as Error).message;
        throw new DiffError([`error: --base-plan ${file} is not a saved plan (npm run plan -- --json): ${why}`]);
    }
    if (plan.project !== "platform" || plan.stack !== stack)
        throw new DiffError([`error: --base-plan ${file} is a plan of ${plan.project} stack "${plan.stack}", not of platform stack "${stack}"`]);
    return plan;
}

/** Runs one plan in its own process and parses it; its errors (invalid config) become ours. */
/** The working tree's plan of the stack, evaluated in this process; errors read as a child's would. */
async function planHere(projectDir: string, stack: string, stackFile: string | undefined, what: string): Promise<Plan> {
    try {
        // The same plain JSON a child's `evaluate --json` would hand over.
        // Loaded here, not at the top: a refused command line should not pay for the Pulumi SDKs.
        const { evaluateStack } = await import("../engine");
        return parsePlan(JSON.parse(JSON.stringify(await evaluateStack({ projectDir, stack, stackFile }))));
    } catch (err) {
        const { evaluationErrorLines } = await import("../cli");
        throw new DiffError([`error: cannot plan ${what} (exit 1):`, ...evaluationErrorLines(stack, err).map((l) => `  ${l}`)]);
    }
}

function planIn(dir: string, args: string[], what: string): Promise<Plan> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(dir, "tools", "run.js"), ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", (d: Buffer) => err.push(d));
        child.on("error", reject);
        child.on("close", (code) => {
            const stdout = Buffer.concat(out).toString("utf8");
            // `plan` exits 1 after printing a plan with a mandatory policy violation: still a plan to compare.
            if (stdout.trimStart().startsWith("{")) {
                try {
                    return resolve(parsePlan(JSON.parse(stdout)));
                } catch {
                    // fall through: reported below
                }
            }
            const detail = Buffer.concat(err).toString("utf8").trim().split("\n").filter(Boolean);
            reject(new DiffError([`error: cannot plan ${what} (exit ${code}):`, ...detail.map((l) => `  ${l}`)]));
        });
    });
}

/**
 * The project as it was at `ref`, in a temporary directory (git archive: the repository's
 * worktrees and index stay untouched), with this checkout's node_modules linked in.
 */
function checkOut(projectDir: string, ref: string): { dir: string; commit: string; remove(): void } {
    const git = (args: string[]) => spawnSync("git", args, { cwd: projectDir, encoding: "utf8" });
    const top = git(["rev-parse", "--show-toplevel"]);
    if (top.status !== 0) throw new DiffError([`error: --base needs a git repository: ${projectDir} is not in one (${top.stderr.trim()})`]);
    const resolved = git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    if (resolved.status !== 0)
        throw new DiffError([`error: --base ${ref} is not a commit of this repository (a shallow clone lacks older commits: fetch them, or clone in full)`]);
    const commit = resolved.stdout.trim();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-diff-"));
    let link: string | undefined;
    const remove = () => {
        if (link) fs.unlinkSync(link); // the link first: never anything through it
        fs.rmSync(tmp, { recursive: true, force: true });
    };
    try {
        const tar = path.join(tmp, "source.tar");
        const archived = spawnSync("git", ["archive", "--format=tar", `--output=${tar}`, commit], { cwd: top.stdout.trim(), encoding: "utf8" });
        if (archived.status !== 0) throw new DiffError([`error: cannot archive ${ref}: ${archived.stderr.trim()}`]);
        const root = path.join(tmp, "tree");
        fs.mkdirSync(root);
        const extracted = spawnSync("tar", ["-xf", tar, "-C", root], { encoding: "utf8" });
        if (extracted.status !== 0) throw new DiffError([`error: cannot unpack ${ref}: ${extracted.stderr.trim()}`]);
        fs.rmSync(tar);
        const dir = path.join(root, path.relative(top.stdout.trim(), projectDir));
        if (!fs.existsSync(path.join(dir, "tools", "run.js")))
            throw new DiffError([`error: ${ref} predates the offline plan (no tools/run.js); pick a later --base`]);
        link = path.join(dir, "node_modules");
        fs.rmSync(link, { recursive: true, force: true }); // a committed link to someone's node_modules
        fs.symlinkSync(path.join(projectDir, "node_modules"), link, "dir");
        return { dir, commit, remove };
    } catch (err) {
        remove();
        throw err;
    }
}

/** A reviewed allowance file: one URN or resource name per line; blank lines and `#` comments are skipped. */
export function allowancesIn(text: string): string[] {
    return text
        .split("\n")
        .map((line) => line.replace(/#.*/, "").trim())
        .filter(Boolean);
}
