// Prints a container service's image tag (tools/images.ts): `node tools/image-tag.js <service>`.
// The Build images stage tags and skips pushes with it.
"use strict";
require("./register");
const { imageTag } = require("./images.ts");

const [service] = process.argv.slice(2);
if (!service || !/^[a-z][a-z0-9-]{0,23}$/.test(service)) {
    console.error("usage: node tools/image-tag.js <service>");
    process.exit(2);
}
console.log(imageTag(service));
