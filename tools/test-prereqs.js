#!/usr/bin/env node
// First step of `npm test`: the service tests run real Redis and PostgreSQL servers (Debian's
// packages) on loopback. When they are missing and this user may install packages (root, or
// sudo without a password), install them; otherwise say the one command that does, and go on:
// the tests that need them then fail within seconds with the same hint.
// PLATFORM_TEST_INSTALL=0 turns the install off.
"use strict";
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const PACKAGES = ["redis-server", "postgresql", "openssl"];
const COMMAND = `apt-get update && apt-get install -y --no-install-recommends ${PACKAGES.join(" ")}`;

function onPath(binary) {
    return spawnSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" }).status === 0;
}

function hasPostgres() {
    const root = "/usr/lib/postgresql";
    return fs.existsSync(root) && fs.readdirSync(root).some((v) => fs.existsSync(path.join(root, v, "bin", "initdb")));
}

function missing() {
    const out = [];
    if (!onPath("redis-server")) out.push("redis-server");
    if (!hasPostgres()) out.push("postgresql");
    if (!onPath("openssl")) out.push("openssl");
    return out;
}

/** How this user may run apt-get: directly as root, through sudo without a password, or not at all. */
function installer() {
    if (process.env.PLATFORM_TEST_INSTALL === "0" || !onPath("apt-get")) return undefined;
    if (process.getuid && process.getuid() === 0) return [];
    if (onPath("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0) return ["sudo", "-n"];
    return undefined;
}

const absent = missing();
if (absent.length === 0) process.exit(0);

const prefix = installer();
if (!prefix) {
    console.error(
        `test set-up: ${absent.join(", ")} not found; the service tests need them. Install with:\n  sudo sh -c '${COMMAND}'\n(continuing: the tests that need them will fail with the same hint)`,
    );
    process.exit(0);
}
console.error(`test set-up: installing ${PACKAGES.join(", ")} (Debian packages) for the service tests; PLATFORM_TEST_INSTALL=0 skips this`);
const run = (args) =>
    execFileSync(prefix[0] ?? args[0], prefix.length ? [...prefix.slice(1), ...args] : args.slice(1), {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
try {
    run(["apt-get", "update", "-qq"]);
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...PACKAGES]);
} catch (err) {
    console.error(`test set-up: the install failed (${err.message}); run it yourself:\n  sudo sh -c '${COMMAND}'`);
    process.exit(0);
}
const still = missing();
if (still.length > 0) console.error(`test set-up: ${still.join(", ")} still missing after the install`);
