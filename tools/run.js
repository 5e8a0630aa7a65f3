#!/usr/bin/env node
// Entry point of `npm run plan|policy|diff|bench|docs|diagram`: installs the module cache and the TypeScript
// hook, then runs the CLI.
"use strict";
const path = require("path");
const nodeModules = path.join(__dirname, "..", "node_modules");
require("./module-cache").installModuleCache(nodeModules, path.join(nodeModules, ".cache", "platform-modules"));
require("./register");

let finished = false;
// If the program awaits something that never resolves, Node drains its event loop and would
// exit 0 with nothing printed; a real deployment reports pending work as a failure, so do we.
process.on("beforeExit", () => {
    if (finished) return;
    console.error("error: the program never finished: it awaits a promise that cannot resolve (an Output or apply depending on itself?)");
    process.exit(1);
});

require("./cli")
    .main(process.argv.slice(2))
    .then(
        (code) => {
            finished = true;
            // stdout to a pipe is asynchronous: exiting at once cuts a large JSON plan short (at 64-128 KiB).
            process.stdout.write("", () => process.exit(code));
        },
        (err) => {
            finished = true;
            console.error(err && err.stack ? err.stack : err);
            process.exit(2);
        },
    );
