import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers/plan";

/** The user docs: the README (the front door), the guides in docs/, and the guides beside the code. */
const DOCS = [
    "README.md",
    ...fs
        .readdirSync(path.join(PROJECT_DIR, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
    "delivery/README.md",
    "tools/README.md",
    "policy/README.md",
];

/** The lines of a markdown text outside fenced code blocks, with inline code blanked out. */
function prose(text: string): string[] {
    let fenced = false;
    return text.split("\n").flatMap((line) => {
        if (/^\s*```/.test(line)) {
            fenced = !fenced;
            return [];
        }
        return fenced ? [] : [line.replace(/`[^`]*`/g, "``")];
    });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    let fenced = false;
    for (const line of text.split("\n")) {
        if (/^\s*```/.test(line)) fenced = !fenced;
        const heading = !fenced && /^#{1,6} (.*?)\s*#*\s*$/.exec(line);
        if (!heading) continue;
        const slug = heading[1]
            .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
            .toLowerCase()
            .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
            .replace(/ /g, "-");
        const n = seen.get(slug) ?? 0;
        seen.set(slug, n + 1);
        out.add(n === 0 ? slug : `${slug}-${n}`);
    }
    return out;
}

/** Every inline link's target in a document's prose. */
const links = (text: string) => prose(text).flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]));

describe("the user docs' links", () => {
    it("includes the guides that moved out of the README", () => {
        for (const file of [
            "docs/architecture.md",
            "docs/web.md",
            "docs/data-stores.md",
            "docs/edge-and-api.md",
            "docs/analytics.md",
            "docs/events.md",
            "docs/environments.md",
            "docs/deploying.md",
            "docs/changing-a-stack.md",
            "docs/config-reference.md",
        ]) {
            assert.ok(DOCS.includes(file), file);
        }
    });

    it("point at files and headings that exist", () => {
        const broken: string[] = [];
        for (const file of DOCS) {
            const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
            for (const target of links(text)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
                const [ref, anchor] = target.split("#", 2);
                const resolved = ref ? path.join(path.dirname(path.join(PROJECT_DIR, file)), decodeURIComponent(ref)) : path.join(PROJECT_DIR, file);
                if (!fs.existsSync(resolved)) {
                    broken.push(`${file}: ${target} (no such file)`);
                } else if (anchor !== undefined && !(resolved.endsWith(".md") && anchors(fs.readFileSync(resolved, "utf8")).has(anchor))) {
                    broken.push(`${file}: ${target} (no such heading)`);
                }
            }
        }
        assert.deepEqual(broken, []);
    });

    it("reach every guide from another document", () => {
        const linked = new Set<string>();
        for (const file of DOCS) {
            const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
            for (const target of links(text)) {
                const ref = target.split("#")[0];
                if (ref && !/^[a-z][a-z0-9+.-]*:/i.test(ref))
                    linked.add(path.relative(PROJECT_DIR, path.join(path.dirname(path.join(PROJECT_DIR, file)), ref)));
            }
        }
        assert.deepEqual(
            DOCS.filter((f) => f !== "README.md" && !linked.has(f)),
            [],
        );
    });

    it("take GitHub's anchors for headings", () => {
        const text =
            "# Delivery\n## Preflight: what to check in the account\n### `platform:tags`\n## Migrating routes (strangler fig)\n## Per environment\n## Per environment\n```sh\n# Test\n```\n";
        assert.deepEqual(
            [...anchors(text)],
            ["delivery", "preflight-what-to-check-in-the-account", "platformtags", "migrating-routes-strangler-fig", "per-environment", "per-environment-1"],
        );
    });
});
