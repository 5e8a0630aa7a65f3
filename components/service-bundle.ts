/**
 * Bundles a Node.js service into one file with esbuild when the program runs, so `pulumi up`
 * ships exactly the source in the working tree. The bundle's SHA-256 names the S3 object and
 * goes into the instances' user data: a change to the service makes a new launch template
 * version, which rolls the fleet through instance refresh.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface ServiceBundle {
    /** The bundled JavaScript (CommonJS, for Node.js 20 and later: the fleet and Lambda run 22). */
    code: string;
    /** Hex SHA-256 of `code`. */
    sha256: string;
}

const PROJECT_DIR = path.resolve(__dirname, "..");
/** esbuild's version keys the cache: a new esbuild rebuilds every bundle. */
const esbuildVersion: string = JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;
const CACHE_DIR = path.join(PROJECT_DIR, "node_modules", ".cache", "platform-bundles");

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * esbuild takes half a second for a service that pulls in the AWS SDK, more than a whole stack
 * evaluation. The result is cached with the size and modification time of every input file of
 * the last build (as make and tsc --incremental judge freshness; reading and hashing the SDK's
 * hundreds of files on every run would cost more than the stack's evaluation budget allows), so
 * any edit to the service or a dependency rebuilds it. The bundle's own SHA-256 is checked on read.
 */
interface CacheEntry {
    inputs: string[];
    inputsStamp: string;
    sha256: string;
}

/**
 * Stamps of dependency files, read once a process: the services share most of their inputs (the
 * AWS SDK), and node_modules does not change under a running program. The services' own files
 * are stamped afresh on every call.
 */
const dependencyStamps = new Map<string, string | undefined>();

function stampInputs(inputs: string[]): string | undefined {
    const stamps: string[] = [];
    for (const input of inputs) {
        const dependency = input.includes("node_modules/");
        const stamp = dependency && dependencyStamps.has(input) ? dependencyStamps.get(input) : stampFile(input);
        if (dependency) dependencyStamps.set(input, stamp);
        if (stamp === undefined) return undefined; // an input is gone: rebuild
        stamps.push(stamp);
    }
    return sha256(stamps.join("\n"));
}

function stampFile(input: string): string | undefined {
    try {
        const stat = fs.statSync(path.resolve(PROJECT_DIR, input));
        return `${input}\0${stat.size}\0${stat.mtimeMs}`;
    } catch {
        return undefined;
    }
}

export function bundleService(entry: string): ServiceBundle {
    const options = {
        entryPoints: [path.resolve(entry)],
        absWorkingDir: PROJECT_DIR,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        // pg's optional native binding; pg falls back to its pure-JS client.
        external: ["pg-native"],
        logLevel: "silent",
    } satisfies import("esbuild").BuildOptions;
    // esbuild itself is loaded only on a cache miss; its version (from package.json) keys the cache.
    const cacheKey = sha256(JSON.stringify({ ...options, esbuild: esbuildVersion }));
    const manifest = path.join(CACHE_DIR, `${cacheKey}.json`);
    const output = path.join(CACHE_DIR, `${cacheKey}.js`);

    try {
        const cached = JSON.parse(fs.readFileSync(manifest, "utf8")) as CacheEntry;
        if (stampInputs(cached.inputs) === cached.inputsStamp) {
            const code = fs.readFileSync(output, "utf8");
            if (sha256(code) === cached.sha256) return { code, sha256: cached.sha256 };
        }
    } catch {
        // no usable cache entry
    }

    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on a cache miss: most evaluations never pay for it
    const esbuild = require("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({ ...options, write: false, metafile: true }); // throws, listing every error, on failure
    const code = result.outputFiles[0].text;
    const bundle = { code, sha256: sha256(code) };

    const inputs = Object.keys(result.metafile.inputs).sort();
    const inputsStamp = stampInputs(inputs);
    if (inputsStamp) {
        try {
            fs.mkdirSync(CACHE_DIR, { recursive: true });
            // Write-then-rename, so parallel evaluations never read half a file.
            fs.writeFileSync(`${output}.${process.pid}`, code);
            fs.renameSync(`${output}.${process.pid}`, output);
            fs.writeFileSync(`${manifest}.${process.pid}`, JSON.stringify({ inputs, inputsStamp, sha256: bundle.sha256 } satisfies CacheEntry));
            fs.renameSync(`${manifest}.${process.pid}`, manifest);
        } catch {
            // a read-only tree just means no cache
        }
    }
    return bundle;
}
