// dynalite ships no type declarations: this declares the part the tests use.
declare module "dynalite" {
    import type { Server } from "net";

    function dynalite(options: { createTableMs?: number }): Server;
    export = dynalite;
}
