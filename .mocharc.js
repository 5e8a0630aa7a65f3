// mocha's settings. Test files run in 3 parallel processes (most service tests wait on servers
// and timers); the files that take longest start first, so none of them is left running alone
// at the end of the run.
"use strict";
const fs = require("fs");
const path = require("path");

/** The slowest files, measured one by one (wall time of `npx mocha --no-parallel <file>`). */
const SLOWEST_FIRST = [
    "tests/tools/diff.test.ts",
    "tests/services/orders/faults.test.ts",
    "tests/services/web/process.test.ts",
    "tests/services/sdk-timeouts.test.ts",
    "tests/stacks/data-stores.test.ts",
    "tests/tools/plan-cli.test.ts",
    "tests/tools/module-cache.test.ts",
    "tests/policy/stacks.test.ts",
    "tests/services/web/health.test.ts",
    "tests/services/catalog/service.test.ts",
];

function testFiles(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.posix.join(dir, e.name);
        return e.isDirectory() ? testFiles(p) : e.name.endsWith(".test.ts") ? [p] : [];
    });
}

const all = testFiles("tests").sort();
// `npx mocha tests/x.test.ts` runs just the files named; plain `mocha` (npm test) runs them all.
const named = process.argv.slice(2).some((a) => /\.(test|fixture)\.ts$/.test(a));
// Read by the root hooks (in mocha's own process, which gets the file list spelled out): plan the committed stacks up front.
if (!named) process.env.PLATFORM_TEST_WHOLE_RUN = "1";
module.exports = {
    extension: ["ts"],
    require: ["tools/register.js", "tests/helpers/root-hooks.ts"],
    ...(named ? {} : { spec: [...SLOWEST_FIRST.filter((f) => all.includes(f)), ...all.filter((f) => !SLOWEST_FIRST.includes(f))] }),
    timeout: 60000,
    reporter: "spec",
    "node-option": ["enable-source-maps"],
    parallel: true,
    jobs: 3,
};
