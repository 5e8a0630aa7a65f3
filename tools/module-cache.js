// A cache of what loading the command line's CommonJS modules costs, kept between runs: V8's
// compiled code and the resolution of module requests. A plan loads ~1,700 modules (18 MB of
// JavaScript; @pulumi/pulumi pulls in the 9 MB TypeScript compiler) and resolves ~3,900
// requests, and that is most of its time.
//
// Compiled code: taken at exit, so it holds the functions that ran, not only the top level.
// An entry is trusted only for the same file, source length and CRC-32 of the source (the check
// Node's own compile cache makes); V8 rejects data from another V8 version or other flags. Node
// 22 has a compile cache built in (module.enableCompileCache), used when present; Node 20 has
// none, so this hooks Module.prototype._compile as v8-compile-cache does.
//
// Resolution: only of requests that land in node_modules, whose layout changes only when npm
// installs, and npm then rewrites node_modules/.package-lock.json; the cached resolutions are
// dropped when that file's size or time changes. Requests between the project's own files are
// always resolved afresh, since adding or moving a file changes them.
//
// The cache is one file, replaced atomically: parallel processes never read a torn one, the
// last writer wins, and a lost entry is merely computed again.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");
const zlib = require("zlib");

/**
 * Installs the cache, kept in `dir` (inside `nodeModules`). Off with PLATFORM_MODULE_CACHE=off;
 * also off under a debugger, which breaks on the main module's first line only through Node's
 * own compile path, and with source maps enabled, which Node registers there too.
 */
function installModuleCache(nodeModules, dir) {
    if (process.env.PLATFORM_MODULE_CACHE === "off" || process.sourceMapsEnabled || process.execArgv.some((a) => a.startsWith("--inspect"))) return;
    const file = path.join(dir, `${process.version}-${process.arch}.bin`);
    const stored = readCache(file);
    const layout = layoutStamp(nodeModules);
    const resolutions = stored.layout === layout ? stored.resolutions : {};
    const fresh = { scripts: new Map(), resolutions: 0 };
    if (layout !== undefined) cacheResolutions(nodeModules, resolutions, fresh);
    if (typeof Module.enableCompileCache === "function") Module.enableCompileCache(dir);
    else if (typeof zlib.crc32 === "function") cacheCompiledCode(stored, fresh); // zlib.crc32: Node 20.15+
    process.once("exit", () => {
        if (fresh.scripts.size > 0 || fresh.resolutions > 0) writeCache(file, stored, { layout, resolutions, scripts: fresh.scripts });
    });
}

/** npm rewrites its hidden lockfile whenever it changes node_modules. */
function layoutStamp(nodeModules) {
    try {
        const s = fs.statSync(path.join(nodeModules, ".package-lock.json"));
        return `${s.size}:${s.mtimeMs}`;
    } catch {
        return undefined;
    }
}

function cacheResolutions(nodeModules, resolutions, fresh) {
    const inside = nodeModules + path.sep;
    const resolveFilename = Module._resolveFilename;
    Module._resolveFilename = function resolveWithCache(request, parent, isMain, options) {
        // Only requests from a module file: a request's resolution depends on the requiring file's folder.
        if (isMain || options !== undefined || !parent?.filename) return resolveFilename.apply(this, arguments);
        const key = `${path.dirname(parent.filename)}\0${request}`;
        const cached = resolutions[key];
        if (cached !== undefined) return cached;
        const filename = resolveFilename.apply(this, arguments);
        if (filename.startsWith(inside) && !filename.startsWith(path.join(nodeModules, ".cache"))) {
            resolutions[key] = filename;
            fresh.resolutions++;
        }
        return filename;
    };
}

function cacheCompiledCode(stored, fresh) {
    const compileFromSource = Module.prototype._compile;
    Module.prototype._compile = function compileWithCache(content, filename, format) {
        if (format === "module") return compileFromSource.call(this, content, filename, format);
        const hash = zlib.crc32(content);
        const entry = stored.scripts[filename];
        const cachedData = entry && entry[0] === hash && entry[1] === content.length ? stored.blob.subarray(entry[2], entry[3]) : undefined;
        const script = new vm.Script(Module.wrap(stripShebang(content)), {
            filename,
            cachedData,
            importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
        });
        if (cachedData === undefined || script.cachedDataRejected) fresh.scripts.set(filename, { hash, length: content.length, script });
        const wrapper = script.runInThisContext({ displayErrors: true });
        return wrapper.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
    };
}

/** Layout: a 4-byte length, a JSON header, then the code caches the header's `scripts` point into. */
function readCache(file) {
    try {
        const data = fs.readFileSync(file);
        const headerLength = data.readUInt32LE(0);
        const header = JSON.parse(data.toString("utf8", 4, 4 + headerLength));
        return { layout: header.layout, resolutions: header.resolutions ?? {}, scripts: header.scripts ?? {}, blob: data.subarray(4 + headerLength) };
    } catch {
        return { layout: undefined, resolutions: {}, scripts: {}, blob: Buffer.alloc(0) };
    }
}

/** `scripts` maps a filename to [crc32, source length, start, end] of its code cache. */
function writeCache(file, stored, { layout, resolutions, scripts }) {
    const entries = {};
    const chunks = [];
    let offset = 0;
    const add = (filename, hash, length, data) => {
        entries[filename] = [hash, length, offset, offset + data.length];
        chunks.push(data);
        offset += data.length;
    };
    for (const [filename, [hash, length, start, end]] of Object.entries(stored.scripts)) {
        if (!scripts.has(filename)) add(filename, hash, length, stored.blob.subarray(start, end));
    }
    for (const [filename, { hash, length, script }] of scripts) add(filename, hash, length, script.createCachedData());
    const header = Buffer.from(JSON.stringify({ layout, resolutions, scripts: entries }));
    const size = Buffer.alloc(4);
    size.writeUInt32LE(header.length);
    const temp = `${file}.${process.pid}`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(temp, Buffer.concat([size, header, ...chunks]));
        fs.renameSync(temp, file);
    } catch {
        // a read-only tree just means no cache
        try {
            fs.rmSync(temp, { force: true });
        } catch {
            // nothing to remove
        }
    }
}

/** The `require` Node gives a module (its makeRequireFunction is internal). */
function makeRequire(mod) {
    const require = (id) => mod.require(id);
    const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.resolve = resolve;
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return require;
}

/** Node strips a leading `#!` line before compiling; keep the line count by commenting it out. */
function stripShebang(content) {
    return content.startsWith("#!") ? `//${content}` : content;
}

module.exports = { installModuleCache };
