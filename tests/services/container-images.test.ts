/**
 * The container services' Dockerfiles, checked as text (no Docker daemon here): multi-stage,
 * every base image pinned by digest, a non-root user, only the bundle and the health check
 * script in the final image, the contract's entrypoint, and an ignore file Docker actually reads.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

interface Instruction {
    op: string;
    args: string;
}

/** Instructions of a Dockerfile: comments dropped, backslash continuations joined. */
export function instructions(text: string): Instruction[] {
    return text
        .replace(/\\\r?\n/g, " ")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => {
            const [op, ...rest] = l.split(/\s+/);
            return { op: op.toUpperCase(), args: rest.join(" ") };
        });
}

/** The stages: each FROM and the instructions after it. */
function stages(list: Instruction[]): { from: string; body: Instruction[] }[] {
    const out: { from: string; body: Instruction[] }[] = [];
    for (const i of list) {
        if (i.op === "FROM") out.push({ from: i.args, body: [] });
        else {
            assert.ok(out.length > 0, `${i.op} before the first FROM`);
            out.at(-1)!.body.push(i);
        }
    }
    return out;
}

/** What a Dockerfile breaks of the rules, one line each. */
export function dockerfileProblems(text: string): string[] {
    const problems: string[] = [];
    const list = instructions(text);
    const all = stages(list);
    if (all.length < 2) problems.push("not multi-stage: the build tools must stay out of the final image");
    for (const s of all) {
        const image = s.from.split(/\s+/)[0];
        if (!/^[a-z0-9./_-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$/.test(image)) problems.push(`FROM ${image} is not pinned by digest`);
    }
    const final = all.at(-1);
    if (!final) return problems;
    const users = final.body.filter((i) => i.op === "USER");
    const user = users.at(-1)?.args.split(":")[0];
    if (user === undefined || user === "root" || user === "0") problems.push(`the final stage runs as ${user ?? "root (no USER)"}`);
    else if (user !== "1000" && user !== "node") problems.push(`the final stage runs as ${user}, not uid 1000`);
    for (const i of final.body) {
        if (i.op === "ADD") problems.push(`ADD ${i.args}: use COPY of the build stage's output`);
        if (i.op === "RUN") problems.push(`RUN ${i.args}: the final stage only copies the bundle`);
        if (i.op === "COPY") {
            if (!/--from=build\b/.test(i.args)) problems.push(`COPY ${i.args}: only the build stage's output goes into the final image`);
            const sources = i.args
                .split(/\s+/)
                .filter((a) => !a.startsWith("--"))
                .slice(0, -1);
            const extra = sources.filter((f) => !["/out/main.js", "/out/healthcheck.js"].includes(f));
            if (extra.length > 0) problems.push(`COPY of ${extra.join(", ")}: only the bundle and healthcheck.js go into the final image`);
        }
    }
    const copied = final.body.filter((i) => i.op === "COPY").flatMap((i) => i.args.split(/\s+/).filter((a) => a.startsWith("/out/")));
    for (const needed of ["/out/main.js", "/out/healthcheck.js"]) if (!copied.includes(needed)) problems.push(`the final image lacks ${needed}`);
    const entrypoint = final.body.filter((i) => i.op === "ENTRYPOINT").at(-1)?.args;
    if (entrypoint !== '["node", "/app/main.js"]') problems.push(`ENTRYPOINT is ${entrypoint ?? "unset"}, not ["node", "/app/main.js"]`);
    return problems;
}

describe("container service images", () => {
    for (const service of ["catalog", "inventory"]) {
        describe(service, () => {
            const dir = path.join(ROOT, "services", service);
            const dockerfile = fs.readFileSync(path.join(dir, "Dockerfile"), "utf8");

            it("Dockerfile: multi-stage, digest-pinned bases, uid 1000, only the bundle and healthcheck.js, node /app/main.js", () => {
                assert.deepEqual(dockerfileProblems(dockerfile), []);
            });

            it("the build stage bundles this service's entry with the shared bundler after a locked install", () => {
                const build = instructions(dockerfile);
                const runs = build.filter((i) => i.op === "RUN").map((i) => i.args);
                assert.ok(
                    runs.some((r) => /^npm ci\b/.test(r)),
                    "npm ci",
                );
                assert.ok(runs.some((r) => r.includes(`node tools/bundle-service.js services/${service}/main.ts /out/main.js`)));
                assert.ok(fs.existsSync(path.join(ROOT, "tools", "bundle-service.js")));
            });

            it("its ignore file (Dockerfile.dockerignore, the one BuildKit reads for -f services/<name>/Dockerfile) admits only the build's inputs", () => {
                const rules = fs
                    .readFileSync(path.join(dir, "Dockerfile.dockerignore"), "utf8")
                    .split("\n")
                    .map((l) => l.trim())
                    .filter((l) => l && !l.startsWith("#"));
                assert.equal(rules[0], "*", "everything is excluded first");
                const admitted = rules.filter((r) => r.startsWith("!")).map((r) => r.slice(1));
                for (const a of admitted) assert.ok(!/node_modules|^tests|^\.git|^docs|Pulumi/.test(a), `${a} must stay out of the context`);
                // Every file the Dockerfile copies from the context is admitted.
                const copied = instructions(dockerfile)
                    .filter((i) => i.op === "COPY" && !i.args.includes("--from"))
                    .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
                for (const c of copied)
                    assert.ok(
                        admitted.some((a) => c === a || c.startsWith(a)),
                        `${c} is copied but not admitted`,
                    );
            });
        });
    }

    it("the checks catch what they guard", () => {
        const good = fs.readFileSync(path.join(ROOT, "services", "catalog", "Dockerfile"), "utf8");
        assert.match(dockerfileProblems(good.replace(/@sha256:[0-9a-f]{64}/, "")).join("\n"), /is not pinned by digest/);
        assert.match(dockerfileProblems(good.replace("USER 1000:1000", "USER root")).join("\n"), /runs as root/);
        assert.match(dockerfileProblems(good.replace("USER 1000:1000\n", "")).join("\n"), /runs as root \(no USER\)/);
        assert.match(dockerfileProblems(good.replace("COPY --from=build /out/main.js", "COPY --from=build /src /out/main.js")).join("\n"), /only the bundle/);
        assert.match(dockerfileProblems(good.replace("WORKDIR /app", "WORKDIR /app\nCOPY . /app")).join("\n"), /only the build stage's output/);
        assert.match(dockerfileProblems(good.slice(good.lastIndexOf("\nFROM "))).join("\n"), /not multi-stage/);
    });
});
