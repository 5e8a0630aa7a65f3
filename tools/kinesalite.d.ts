// kinesalite ships no type declarations: this declares the part the local Kinesis uses.
declare module "kinesalite" {
    import type { Server } from "http";

    function kinesalite(options: { createStreamMs?: number; deleteStreamMs?: number; updateStreamMs?: number; shardLimit?: number }): Server;
    export = kinesalite;
}
