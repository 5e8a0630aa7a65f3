/**
 * The tag of a container service's image: a hash of what the image holds, so a service whose
 * code did not change keeps its tag, its image (ECR tags are immutable: the push is skipped) and
 * its running tasks. The pipeline's source artifact is a ZIP without git history (CODE_ZIP), so
 * no commit can name "the last change to this service"; the content can.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { bundleService } from "../components/service-bundle";

const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * What the image is built from, as it ends up in the image: the service's one-file bundle (its
 * code and every module and dependency it imports, nothing else), the health check script, and
 * the Dockerfile (base image digest, user, entrypoint) with its ignore file.
 */
export function imageInputs(service: string): { name: string; content: string }[] {
    const file = (rel: string) => ({ name: rel, content: fs.readFileSync(path.join(PROJECT_DIR, rel), "utf8") });
    return [
        { name: "bundle", content: bundleService(path.join(PROJECT_DIR, "services", service, "main.ts")).code },
        file("services/container/healthcheck.js"),
        file(`services/${service}/Dockerfile`),
        file(`services/${service}/Dockerfile.dockerignore`),
    ];
}

/** `c-` and the first 16 hex digits of the inputs' SHA-256 (the prefix keeps it a string wherever it goes, even all digits). */
export function imageTag(service: string): string {
    const hash = createHash("sha256");
    for (const { name, content } of imageInputs(service)) hash.update(`${name}\0${content.length}\0`).update(content);
    return `c-${hash.digest("hex").slice(0, 16)}`;
}
