#!/usr/bin/env node
// Entry point of `npm run plan|policy|bench`: installs the TypeScript hook, then runs the CLI.
"use strict";
require("./register");
require("./cli").main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        console.error(err && err.stack ? err.stack : err);
        process.exit(2);
    },
);
