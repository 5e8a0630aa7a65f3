import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import Module from "module";
import * as path from "path";
import { cli, PROJECT_DIR, scratchDir } from "../helpers/plan";

const MODULE_CACHE = path.resolve(__dirname, "..", "..", "tools", "module-cache.js");
const made: string[] = [];
const NODE_COMPILE_CACHE = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === "function";

/** A throwaway project: node_modules with npm's hidden lockfile, and a main script that installs the cache. */
function project(files: Record<string, string>): {
    dir: string;
    run: () => { status: number | null; stdout: string; stderr: string };
    cacheFile: () => string;
    cacheDir: string;
} {
    const dir = fs.mkdtempSync(path.join(scratchDir(), "module-cache-"));
    made.push(dir);
    const nodeModules = path.join(dir, "node_modules");
    const cacheDir = path.join(nodeModules, ".cache", "modules");
    const all: Record<string, string> = {
        "node_modules/.package-lock.json": '{"lockfileVersion": 3}',
        "main.js": `require(${JSON.stringify(MODULE_CACHE)}).installModuleCache(${JSON.stringify(nodeModules)}, ${JSON.stringify(cacheDir)});\nconsole.log(require("pkg"));\n`,
        ...files,
    };
    for (const [name, text] of Object.entries(all)) write(dir, name, text);
    return {
        dir,
        run: () => spawnSync(process.execPath, ["main.js"], { cwd: dir, encoding: "utf8", env: { ...process.env, PLATFORM_MODULE_CACHE: "" } }),
        cacheFile: () =>
            path.join(
                cacheDir,
                fs.readdirSync(cacheDir).find((f) => f.endsWith(".bin"))!,
            ),
        cacheDir,
    };
}

function write(dir: string, name: string, text: string): void {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
}

/** The cache file's header: what it holds compiled code and resolutions for. */
function header(file: string): { layout?: string; resolutions: Record<string, string>; scripts: Record<string, number[]> } {
    const data = fs.readFileSync(file);
    return JSON.parse(data.toString("utf8", 4, 4 + data.readUInt32LE(0)));
}

describe("the module cache (tools/module-cache.js)", () => {
    after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("keeps compiled code and node_modules resolutions, and a warm run loads the same modules", () => {
        const p = project({ "node_modules/pkg/package.json": '{"main": "lib/entry.js"}', "node_modules/pkg/lib/entry.js": 'module.exports = "first";\n' });
        assert.equal(p.run().stdout.trim(), "first");
        const entry = path.join(p.dir, "node_modules", "pkg", "lib", "entry.js");
        const held = header(p.cacheFile());
        // Node 22 and later keep compiled code in their own compile cache, in the same folder.
        if (NODE_COMPILE_CACHE)
            assert.ok(
                fs.readdirSync(p.cacheDir).some((f) => !f.endsWith(".bin")),
                "Node's compile cache is kept",
            );
        else assert.ok(held.scripts[entry], "the compiled entry is cached");
        assert.equal(held.resolutions[`${p.dir}\0pkg`], entry);
        assert.ok(!Object.values(held.resolutions).includes(path.join(p.dir, "main.js")), "the project's own files are resolved afresh");
        const second = p.run();
        assert.equal(second.status, 0, second.stderr);
        assert.equal(second.stdout.trim(), "first");
    });

    it("compiles a changed file afresh, even with the same length and modification time", () => {
        const p = project({ "node_modules/pkg/index.js": 'module.exports = "one";\n' });
        const file = path.join(p.dir, "node_modules", "pkg", "index.js");
        assert.equal(p.run().stdout.trim(), "one");
        const { mtime } = fs.statSync(file);
        fs.writeFileSync(file, 'module.exports = "two";\n');
        fs.utimesSync(file, mtime, mtime);
        assert.equal(p.run().stdout.trim(), "two");
    });

    it("drops the cached resolutions when npm changes node_modules (its hidden lockfile changes)", () => {
        const p = project({
            "node_modules/pkg/package.json": '{"main": "a.js"}',
            "node_modules/pkg/a.js": 'module.exports = "a";\n',
            "node_modules/pkg/b.js": 'module.exports = "b";\n',
        });
        assert.equal(p.run().stdout.trim(), "a");
        write(p.dir, "node_modules/pkg/package.json", '{"main": "b.js"}');
        // Without an install the cached resolution stands: the layout stamp is what invalidates it.
        assert.equal(p.run().stdout.trim(), "a");
        write(p.dir, "node_modules/.package-lock.json", '{"lockfileVersion": 3, "packages": {}}');
        assert.equal(p.run().stdout.trim(), "b");
    });

    it("ignores a corrupt cache file and writes a sound one", () => {
        const p = project({ "node_modules/pkg/index.js": "module.exports = 42;\n" });
        p.run();
        fs.writeFileSync(p.cacheFile(), Buffer.from("not a cache at all"));
        const r = p.run();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "42");
        assert.ok(Object.keys(header(p.cacheFile()).resolutions).length > 0);
    });

    it("keeps file names and line numbers in errors from cached code", () => {
        const p = project({ "node_modules/pkg/index.js": '"use strict";\n\nthrow new Error("boom");\n' });
        for (const attempt of ["cold", "warm"]) {
            const r = p.run();
            assert.equal(r.status, 1, attempt);
            assert.match(r.stderr, new RegExp(`${path.join("node_modules", "pkg", "index.js").replace(/[/\\.]/g, "\\$&")}:3`), attempt);
        }
    });

    it("plans a stack exactly as without the cache", () => {
        // The run's global set-up planned dev through the CLI, filling the cache; alone, fill it here.
        if (!fs.existsSync(path.join(PROJECT_DIR, "node_modules", ".cache", "platform-modules"))) cli(["plan", "--stack", "dev", "--json"]);
        const warm = cli(["plan", "--stack", "dev", "--json"]);
        const r = cli(["plan", "--stack", "dev", "--json"], { ...process.env, PLATFORM_MODULE_CACHE: "off" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(warm.status, 0, warm.stderr);
        assert.equal(warm.stdout, r.stdout);
    });
});
