/**
 * A constructor reads in one screen (handbook, "How a component is written"): past about 100
 * lines it is split into well-named private parts or child components. Every class constructor
 * in components/ and delivery/ is measured, from `constructor(` to its closing brace.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const FOLDERS = ["components", "delivery"];
export const MAX_CONSTRUCTOR_LINES = 100;

export interface ConstructorSize {
    /** "<file>: <Class>" */
    where: string;
    className: string;
    lines: number;
}

/** Every class constructor in the files, with its length in lines. */
export function constructorSizes(files: string[]): ConstructorSize[] {
    const sizes: ConstructorSize[] = [];
    for (const file of files) {
        const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
        const visit = (node: ts.Node): void => {
            if (ts.isConstructorDeclaration(node) && node.body) {
                const className = ts.isClassLike(node.parent) && node.parent.name ? node.parent.name.text : "(anonymous class)";
                const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
                const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
                sizes.push({ where: `${path.relative(ROOT, file)}: ${className}`, className, lines: last - first + 1 });
            }
            ts.forEachChild(node, visit);
        };
        visit(source);
    }
    return sizes;
}

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(p);
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
    });
}

describe("architecture: constructors read in one screen", () => {
    const sizes = constructorSizes(FOLDERS.flatMap((f) => tsFiles(path.join(ROOT, f))));

    it(`no constructor in ${FOLDERS.join("/ or ")}/ is over ${MAX_CONSTRUCTOR_LINES} lines`, () => {
        const long = sizes.filter((s) => s.lines > MAX_CONSTRUCTOR_LINES).map((s) => `${s.where} (${s.lines} lines)`);
        assert.deepEqual(long, [], `split these constructors into well-named private parts or child components:\n  ${long.join("\n  ")}`);
    });

    it("measures a constructor from its first line to its closing brace", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "constructors-probe-"));
        try {
            const probe = path.join(dir, "probe.ts");
            fs.writeFileSync(probe, `export class Probe {\n    constructor() {\n${"        void 0;\n".repeat(MAX_CONSTRUCTOR_LINES - 1)}    }\n}\n`);
            assert.deepEqual(
                constructorSizes([probe]).map((s) => [s.className, s.lines]),
                [["Probe", MAX_CONSTRUCTOR_LINES + 1]],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
