// Writes a service's one-file bundle: `node tools/bundle-service.js <entry.ts> <out.js>`.
// The container images' build stage runs it; it is the same esbuild build (components/service-bundle.ts)
// the program ships to the web fleet and the tests start, so the image runs what the tests ran.
"use strict";
const fs = require("fs");
const path = require("path");
require("./register");
const { bundleService } = require("../components/service-bundle.ts");

const [entry, out] = process.argv.slice(2);
if (!entry || !out) {
    console.error("usage: node tools/bundle-service.js <entry.ts> <out.js>");
    process.exit(2);
}
const bundle = bundleService(entry);
fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
fs.writeFileSync(out, bundle.code);
console.log(`${out}: ${bundle.code.length} bytes, sha256 ${bundle.sha256}`);
