// Require hook that strips TypeScript types with esbuild. Loading the TypeScript compiler
// (as ts-node does) costs ~0.4 s per process, more than the whole stack evaluation budget;
// type checking happens once, in `npm run build` (tsc --noEmit). Output is cached on disk by
// content hash, so esbuild itself is loaded only when a file changed.
"use strict";
const { createHash } = require("crypto");
const fs = require("fs");
const path = require("path");

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "platform-ts");
// `import()` becomes require(): the .ts hook only serves CommonJS loading. Inline source maps
// double the code Node must read and parse, and Node ignores them unless source maps are enabled
// (the tests enable them, for traces that point at the TypeScript).
const OPTIONS = {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcemap: process.sourceMapsEnabled ? "inline" : false,
    supported: { "dynamic-import": false },
};
let transformSync;

function compile(source, filename) {
    const hash = createHash("sha1").update(JSON.stringify(OPTIONS)).update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(cacheDir, `${hash}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        transformSync ??= require("esbuild").transformSync;
        const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            fs.writeFileSync(`${cached}.${process.pid}`, code);
            fs.renameSync(`${cached}.${process.pid}`, cached); // atomic: parallel test processes share the cache
        } catch {
            // a read-only tree just means no cache
        }
        return code;
    }
}

require.extensions[".ts"] = function compileTs(module, filename) {
    module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
};
